// Sending a package the way ferry-desktop does, over the package API and tus (for set-up only):
// a desktop upload spec with folder paths, then one tus creation and one PATCH per file.
import { expect, type APIRequestContext } from '@playwright/test';

const WRITE = { 'x-ferry-request': '1' };

export interface FolderFile {
  /** Relative path inside the package, ending in the name. */
  path: string;
  bytes: Buffer;
}

/** Sends `files` (in folders) from the signed-in `request` to `recipients`; answers the package id. */
export async function sendWithFolders(
  request: APIRequestContext,
  title: string,
  recipients: string[],
  files: FolderFile[],
): Promise<number> {
  const created = await request.post('/api/v1/packages', { headers: WRITE, data: { title, recipients } });
  expect(created.status()).toBe(201);
  const id = (await created.json()).id as number;
  const declared = files.map((f) => ({ name: f.path.split('/').pop(), size: f.bytes.length, path: f.path }));
  const specAnswer = await request.post(`/api/v1/packages/${id}/transfer_spec/upload`, {
    headers: WRITE,
    data: { client: 'desktop', files: declared },
  });
  expect(specAnswer.status()).toBe(200);
  const spec = await specAnswer.json();
  expect(spec.client).toBe('desktop');
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  for (const [index, file] of files.entries()) {
    const tus = { 'tus-resumable': '1.0.0', authorization: `Bearer ${spec.token}` };
    const upload = await request.post(spec.tus_endpoint, {
      headers: {
        ...tus,
        'upload-length': String(file.bytes.length),
        'upload-metadata': `file_id ${b64(String(spec.files[index].id))},filename ${b64(declared[index].name!)}`,
      },
    });
    expect(upload.status()).toBe(201);
    if (file.bytes.length === 0) continue;
    const location = new URL(upload.headers()['location'], spec.tus_endpoint).toString();
    const patched = await request.patch(location, {
      headers: { ...tus, 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' },
      data: file.bytes,
    });
    expect(patched.status()).toBe(204);
  }
  return id;
}
