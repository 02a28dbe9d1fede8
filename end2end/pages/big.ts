// Big files for the download tests, made without the page: a package created through the package
// API and filled over tus from Node with a deterministic byte stream (AES-CTR of zeros, so nothing
// is written to a temporary file and the SHA-256 is known), plus what the tests check with: the
// Chromium tree's memory, the File System Access pickers stood in by the origin-private file system,
// and a SHA-256 of a file in that file system computed in slices.
import { createCipheriv, createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import http from 'node:http';
import { expect, request as playwrightRequest, type Page } from '@playwright/test';
import { WEB_PORT } from '../playwright.config';

const WRITE = { 'x-ferry-request': '1' };
const PIECE = 4 << 20;

export type BigFile = { name: string; size: number; seed: number };
export type SentFile = BigFile & { id: number; sha256: string };

/** A plain view: this @types/node's Buffer does not type-check as its own BinaryLike. */
function view(bytes: Buffer): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The bytes of `file`, piece by piece: AES-128-CTR of zeros keyed by its seed. */
function* bytesOf(file: BigFile): Generator<Uint8Array> {
  const cipher = createCipheriv('aes-128-ctr', new Uint8Array(16).fill(file.seed), new Uint8Array(16));
  const zeros = new Uint8Array(PIECE);
  for (let left = file.size; left > 0; left -= PIECE) {
    yield view(cipher.update(left >= PIECE ? zeros : zeros.subarray(0, left)));
  }
}

/** Sends `bytes` as one tus PATCH (Node's http, so the body streams with back-pressure). */
function patch(url: string, token: string, file: BigFile): Promise<string> {
  const hash = createHash('sha256');
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'PATCH',
      headers: {
        'tus-resumable': '1.0.0',
        'upload-offset': '0',
        'content-type': 'application/offset+octet-stream',
        'content-length': String(file.size),
        authorization: `Bearer ${token}`,
      },
    });
    req.on('error', reject);
    req.on('response', (response) => {
      response.resume();
      if (response.statusCode !== 204) reject(new Error(`PATCH answered ${response.statusCode}`));
      else resolve(hash.digest('hex'));
    });
    const pieces = bytesOf(file);
    const pump = () => {
      for (let next = pieces.next(); !next.done; next = pieces.next()) {
        hash.update(next.value);
        if (!req.write(next.value)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}

/** The sender sends `files` to `recipients` through the package API and tus; answers the package. */
export async function sendBigPackage(
  sender: { username: string; password: string },
  recipients: string[],
  title: string,
  files: BigFile[],
): Promise<{ id: number; path: string; files: SentFile[] }> {
  const api = await playwrightRequest.newContext({ baseURL: `http://127.0.0.1:${WEB_PORT}` });
  try {
    const login = await api.post('/api/v1/session', { headers: WRITE, data: sender });
    expect(login.status()).toBe(200);
    const created = await api.post('/api/v1/packages', {
      headers: WRITE,
      data: { title, recipients, expiration: { kind: 'none' } },
    });
    expect(created.status()).toBe(201);
    const { id } = await created.json();
    const specAnswer = await api.post(`/api/v1/packages/${id}/transfer_spec/upload`, {
      headers: WRITE,
      data: { files: files.map(({ name, size }) => ({ name, size })) },
    });
    expect(specAnswer.status()).toBe(200);
    const spec = await specAnswer.json();
    const sent: SentFile[] = [];
    for (const file of files) {
      const fileId: number = spec.files.find((f: { name: string }) => f.name === file.name).id;
      const b64 = (text: string) => Buffer.from(text).toString('base64');
      const creation = await api.post(spec.tus_endpoint, {
        headers: {
          'tus-resumable': '1.0.0',
          'upload-length': String(file.size),
          'upload-metadata': `filename ${b64(file.name)},file_id ${b64(String(fileId))}`,
          authorization: `Bearer ${spec.token}`,
        },
      });
      expect(creation.status()).toBe(201);
      const location = new URL(creation.headers()['location'], spec.tus_endpoint).toString();
      sent.push({ ...file, id: fileId, sha256: await patch(location, spec.token, file) });
    }
    const detail = await (await api.get(`/api/v1/packages/${id}`)).json();
    expect(detail.sent_at, 'the package is sent once its files are uploaded').toBeTruthy();
    return { id, path: `/packages/${id}`, files: sent };
  } finally {
    await api.dispose();
  }
}

/** Deletes a package (its sender), freeing the transfer node's disk. */
export async function deletePackage(sender: { username: string; password: string }, id: number) {
  const api = await playwrightRequest.newContext({ baseURL: `http://127.0.0.1:${WEB_PORT}` });
  await api.post('/api/v1/session', { headers: WRITE, data: sender });
  expect((await api.delete(`/api/v1/packages/${id}`, { headers: WRITE })).status()).toBe(204);
  await api.dispose();
}

/** The SHA-256 of a file on disk, read in pieces. */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const piece of createReadStream(path, { highWaterMark: PIECE })) hash.update(view(piece));
  return hash.digest('hex');
}

/** Resident memory of the browsers this test worker launched, with all their processes, in bytes. */
async function browserRss(): Promise<number> {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  const names = new Map<number, string>();
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command's closing parenthesis: state, ppid, …; rss is field 24.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      names.set(pid, stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')));
      rss.set(pid, Number(fields[21]) * 4096);
      children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    } catch {
      // The process ended meanwhile.
    }
  }
  // Playwright launches Chromium as a child of this worker process.
  const roots = (children.get(process.pid) ?? []).filter((pid) => /chrom/i.test(names.get(pid) ?? ''));
  if (roots.length === 0) throw new Error('no browser process under this test worker');
  let total = 0;
  const todo = [...roots];
  while (todo.length > 0) {
    const pid = todo.pop()!;
    total += rss.get(pid) ?? 0;
    todo.push(...(children.get(pid) ?? []));
  }
  return total;
}

/**
 * Samples the resident memory of Chromium's processes twice a second; `stop` answers the growth
 * over the first sample. (Shared pages count in every process that maps them: the absolute figure
 * overstates, the growth does not.)
 */
export async function watchBrowserMemory() {
  const samples: number[] = [await browserRss()];
  let running = true;
  const loop = (async () => {
    while (running) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      // The browser may be gone already when a failed test leaves without stopping the watch.
      const sample = await browserRss().catch(() => undefined);
      if (sample === undefined) break;
      samples.push(sample);
    }
  })();
  return {
    async stop(): Promise<{ baseline: number; peak: number; growth: number }> {
      running = false;
      await loop;
      const baseline = samples[0];
      const peak = Math.max(...samples);
      return { baseline, peak, growth: peak - baseline };
    },
  };
}

/** Stands in the origin-private file system for the save and folder pickers (what a person picks). */
export async function useOpfsPickers(page: Page) {
  await page.addInitScript(() => {
    const root = () => navigator.storage.getDirectory();
    Object.assign(window, {
      showSaveFilePicker: async (options: { suggestedName: string }) =>
        (await root()).getFileHandle(options.suggestedName, { create: true }),
      showDirectoryPicker: async () => (await root()).getDirectoryHandle('picked', { create: true }),
    });
  });
}

/** A browser without the File System Access API: downloads go through its own download manager. */
export async function removePickers(page: Page) {
  await page.addInitScript(() => {
    for (const name of ['showSaveFilePicker', 'showDirectoryPicker', 'showOpenFilePicker']) {
      delete (window as unknown as Record<string, unknown>)[name];
      delete (Window.prototype as unknown as Record<string, unknown>)[name];
    }
  });
}

/** Size and SHA-256 of a file the page wrote into the origin-private file system (`folder/name`). */
export async function opfsFile(page: Page, path: string[]): Promise<{ size: number; sha256: string }> {
  return page.evaluate(async (path) => {
    // A small incremental SHA-256 (FIPS 180-4): Web Crypto hashes only whole buffers.
    const K = new Uint32Array([
      0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
      0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
      0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
      0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
      0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
      0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
      0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
      0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]);
    const H = new Uint32Array([
      0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    ]);
    const W = new Uint32Array(64);
    const blocks = (data: Uint8Array) => {
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      for (let at = 0; at + 64 <= data.byteLength; at += 64) {
        for (let i = 0; i < 16; i++) W[i] = view.getUint32(at + i * 4);
        for (let i = 16; i < 64; i++) {
          const a = W[i - 15], b = W[i - 2];
          const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
          const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
          W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
        }
        let [a, b, c, d, e, f, g, h] = H;
        for (let i = 0; i < 64; i++) {
          const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
          const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
          const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
          const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
          h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
        }
        H[0] += a; H[1] += b; H[2] += c; H[3] += d; H[4] += e; H[5] += f; H[6] += g; H[7] += h;
      }
    };
    let dir = await navigator.storage.getDirectory();
    for (const folder of path.slice(0, -1)) dir = await dir.getDirectoryHandle(folder);
    const file = await (await dir.getFileHandle(path[path.length - 1])).getFile();
    const SLICE = 8 << 20; // a multiple of 64: only the last slice has a partial block
    for (let at = 0; at + SLICE <= file.size; at += SLICE) {
      blocks(new Uint8Array(await file.slice(at, at + SLICE).arrayBuffer()));
    }
    const tailStart = file.size - (file.size % SLICE);
    const rest = new Uint8Array(await file.slice(tailStart).arrayBuffer());
    const full = rest.byteLength - (rest.byteLength % 64);
    blocks(rest.subarray(0, full));
    const last = new Uint8Array(rest.byteLength - full < 56 ? 64 : 128);
    last.set(rest.subarray(full));
    last[rest.byteLength - full] = 0x80;
    const bits = new DataView(last.buffer);
    bits.setUint32(last.byteLength - 8, Math.floor((file.size * 8) / 2 ** 32));
    bits.setUint32(last.byteLength - 4, (file.size * 8) >>> 0);
    blocks(last);
    const sha256 = Array.from(H, (word) => word.toString(16).padStart(8, '0')).join('');
    return { size: file.size, sha256 };
  }, path);
}
