// A tus client no one here wrote, tus-js-client (Node), sends packages through the gateway as
// third-party tools do: with PATCH sent as POST + X-HTTP-Method-Override, resumed from HEAD right
// after a cut (no retries, like tuspy), in three parallel parts joined by concatenation, and in a
// keep-alive loop where refused uploads alternate with good ones. Each file then downloads as the
// recipient byte for byte.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { expect, request as playwrightRequest, test, type APIRequestContext } from '@playwright/test';
import * as tus from 'tus-js-client';
import { ADMIN_PASSWORD, WEB_PORT } from '../playwright.config';
import { ensureUser, signInAsAdmin } from '../pages/api';

const WRITE = { 'x-ferry-request': '1' };
const RECIPIENT = { username: 'tuslow', password: 'tuslow-password-1' };
const SENDER = { username: 'admin', password: ADMIN_PASSWORD };

type Spec = { id: number; token: string; endpoint: string; files: Map<string, number> };

test.beforeAll(async ({ request }) => {
  await signInAsAdmin(request);
  await ensureUser(request, RECIPIENT.username, RECIPIENT.password);
});

async function signedIn(who: { username: string; password: string }): Promise<APIRequestContext> {
  const api = await playwrightRequest.newContext({ baseURL: `http://127.0.0.1:${WEB_PORT}` });
  expect((await api.post('/api/v1/session', { headers: WRITE, data: who })).status()).toBe(200);
  return api;
}

/** A draft to the recipient with `files` declared, and its upload spec. */
async function draft(api: APIRequestContext, files: { name: string; size: number }[]): Promise<Spec> {
  const created = await api.post('/api/v1/packages', {
    headers: WRITE,
    data: { title: `tus-js-client ${Date.now()}`, recipients: [RECIPIENT.username] },
  });
  expect(created.status()).toBe(201);
  const { id } = await created.json();
  const answer = await api.post(`/api/v1/packages/${id}/transfer_spec/upload`, {
    headers: WRITE,
    data: { files },
  });
  expect(answer.status()).toBe(200);
  const spec = await answer.json();
  const ids = new Map<string, number>(spec.files.map((f: { name: string; id: number }) => [f.name, f.id]));
  return { id, token: spec.token, endpoint: spec.tus_endpoint, files: ids };
}

/** Runs one tus-js-client upload to its end; `onStart` gets the Upload (to abort it, say). */
function upload(
  bytes: Buffer,
  options: tus.UploadOptions,
  onStart: (upload: tus.Upload) => void = () => {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const one: tus.Upload = new tus.Upload(bytes, {
      storeFingerprintForResuming: false,
      retryDelays: null,
      ...options,
      onSuccess: () => resolve(one.url ?? ''),
      onError: reject,
    });
    onStart(one);
    one.start();
  });
}

function fileOptions(spec: Spec, name: string): tus.UploadOptions {
  const fileId = String(spec.files.get(name));
  return {
    endpoint: spec.endpoint,
    headers: { authorization: `Bearer ${spec.token}` },
    metadata: { filename: name, file_id: fileId },
    metadataForPartialUploads: { file_id: fileId },
  };
}

const sha256 = (bytes: Buffer) =>
  createHash('sha256')
    .update(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength))
    .digest('hex');

/** What the recipient downloads of each file of the package, by name: its SHA-256. */
async function received(packageId: number): Promise<Map<string, string>> {
  const api = await signedIn(RECIPIENT);
  try {
    const detail = await (await api.get(`/api/v1/packages/${packageId}`)).json();
    expect(detail.sent_at, 'the package is sent once its files are uploaded').toBeTruthy();
    const out = new Map<string, string>();
    for (const file of detail.files as { id: number; name: string }[]) {
      const link = await api.post(`/api/v1/packages/${packageId}/files/${file.id}/link`, { headers: WRITE });
      expect([200, 201]).toContain(link.status());
      const download = await api.get((await link.json()).url);
      expect(download.status()).toBe(200);
      out.set(file.name, sha256(await download.body()));
    }
    return out;
  } finally {
    await api.dispose();
  }
}

test('uploads with PATCH overridden, resumed after a cut, and in parallel parts arrive whole', async () => {
  test.setTimeout(90_000);
  const files = {
    'override.bin': randomBytes(3 << 20),
    'resumed.bin': randomBytes(8 << 20),
    'parallel.bin': randomBytes(6 << 20),
  };
  const api = await signedIn(SENDER);
  const spec = await draft(
    api,
    Object.entries(files).map(([name, bytes]) => ({ name, size: bytes.length })),
  );
  await api.dispose();

  // Behind a proxy that passes only GET and POST.
  await upload(files['override.bin'], {
    ...fileOptions(spec, 'override.bin'),
    overridePatchMethod: true,
    chunkSize: 1 << 20,
  });

  // Cut once 3 MiB are sent, then resumed by a new client that knows only the upload's URL: its
  // HEAD, sent at once, must find what the cut PATCH committed.
  const url = await new Promise<string>((resolve, reject) => {
    upload(files['resumed.bin'], { ...fileOptions(spec, 'resumed.bin'), chunkSize: 8 << 20 }, (first) => {
      first.options.onProgress = (sent) => {
        if (sent >= 3 << 20 && first.url) {
          first.options.onProgress = null;
          const url = first.url;
          first.abort().then(() => resolve(url), reject);
        }
      };
    }).then(() => reject(new Error('the upload ended before it was cut')), reject);
  });
  await upload(files['resumed.bin'], { ...fileOptions(spec, 'resumed.bin'), uploadUrl: url });

  await upload(files['parallel.bin'], { ...fileOptions(spec, 'parallel.bin'), parallelUploads: 3 });

  const got = await received(spec.id);
  for (const [name, bytes] of Object.entries(files)) {
    expect(got.get(name), name).toBe(sha256(bytes));
  }
});

/** A PATCH of `bytes` with a stale token, on Node's shared pool (keep-alive since Node 19, and
 * tus-js-client's too): its status. */
function refusedPatch(url: string, bytes: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'PATCH',
      agent: http.globalAgent,
      headers: {
        'tus-resumable': '1.0.0',
        'upload-offset': '0',
        'content-type': 'application/offset+octet-stream',
        'content-length': String(bytes.length),
        authorization: 'Bearer stale',
      },
    });
    req.on('error', reject);
    req.on('response', (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    req.end(bytes);
  });
}

test('refused uploads leave the keep-alive pool working for the next ones', async () => {
  test.setTimeout(90_000);
  const names = Array.from({ length: 5 }, (_, i) => `kept-${i}.bin`);
  const files = new Map(names.map((name) => [name, randomBytes(4 << 20)]));
  const api = await signedIn(SENDER);
  const spec = await draft(
    api,
    names.map((name) => ({ name, size: 4 << 20 })),
  );
  await api.dispose();

  const stale = `${spec.endpoint.replace(/\/+$/, '')}/no-such-upload`;
  for (const [name, bytes] of files) {
    // A whole 4 MiB body with a stale token: the answer is the 401, not a broken pipe, and the
    // upload after it (on the same pool) is not handed a dead connection.
    expect(await refusedPatch(stale, bytes)).toBe(401);
    await upload(bytes, fileOptions(spec, name));
  }
  const got = await received(spec.id);
  for (const [name, bytes] of files) expect(got.get(name), name).toBe(sha256(bytes));
});
