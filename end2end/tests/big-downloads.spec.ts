// Big files through the package page, on every path it offers: one file and "Download all" with
// the File System Access pickers (stood in by the origin-private file system), and both without
// them, through the browser's own downloads. Each saved file must have the sent size and SHA-256,
// the page must say "saved" only when it knows, and the browser's memory must not grow with the
// file (issue #23: the page used to gather the body in Blobs, and past a few hundred MiB Chromium
// cancelled the download while the page said "Downloaded"). The browser's downloads go first,
// while the recipient has received nothing yet, so that the page follows them by the server's
// delivery records.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, expect, test as base, type Page } from '@playwright/test';
import { ensureUser, signInAsAdmin } from '../pages/api';
import {
  deletePackage,
  fileSha256,
  opfsFile,
  removePickers,
  sendBigPackage,
  useOpfsPickers,
  watchBrowserMemory,
  type SentFile,
} from '../pages/big';
import { LoginPage } from '../pages/login';
import { PackagePage } from '../pages/package';
import { AppShell } from '../pages/shell';
import config from '../playwright.config';

// A browser profile on disk: in Playwright's default (off-the-record) contexts the origin-private
// file system lives in memory, which would count the written file as the browser's memory.
const test = base.extend<{ page: Page }>({
  page: async ({}, use) => {
    const profile = await mkdtemp(path.join(tmpdir(), 'ferry-big-downloads-'));
    const context = await chromium.launchPersistentContext(profile, {
      ...config.use?.launchOptions,
      baseURL: config.use?.baseURL,
      acceptDownloads: true,
    });
    await use(context.pages()[0] ?? (await context.newPage()));
    await context.close();
    await rm(profile, { recursive: true, force: true });
  },
});

const SENDER = { username: 'hana', password: 'hana-password-1' };
const RECIPIENT = { username: 'ivan', password: 'ivan-password-1' };
const MIB = 1024 * 1024;
/** The most the browser's processes may grow by during a download, whatever the file's size. */
const MEMORY_LIMIT = 300 * 1000 * 1000;
/** Long enough for 3.2 GB through the gateway on a busy 2-core machine. */
const BIG_TIMEOUT = 15 * 60_000;

test.describe.configure({ timeout: 20 * 60_000 });

let sent: { id: number; path: string; files: SentFile[] } | undefined;

test.beforeAll(async ({ request }) => {
  test.setTimeout(15 * 60_000);
  await signInAsAdmin(request);
  for (const user of [SENDER, RECIPIENT]) await ensureUser(request, user.username, user.password);
  sent = await sendBigPackage(SENDER, [RECIPIENT.username], `Big files ${Date.now()}`, [
    { name: 'big-600.bin', size: 600 * MIB, seed: 6 },
    { name: 'big-2600.bin', size: 2600 * MIB, seed: 26 },
  ]);
});

test.afterAll(async () => {
  if (sent) await deletePackage(SENDER, sent.id);
});

function file(name: string): SentFile {
  const found = sent?.files.find((f) => f.name === name);
  if (!found) throw new Error(`${name} was not sent`);
  return found;
}

async function openAsRecipient(page: Page): Promise<PackagePage> {
  const login = new LoginPage(page);
  await login.goto();
  await login.signIn(RECIPIENT.username, RECIPIENT.password);
  await expect(new AppShell(page).heading).toHaveText('Received');
  const pkg = new PackagePage(page);
  await pkg.goto(sent!.path);
  return pkg;
}

/** Waits until the row's download ended one way or another; answers what the row says. */
async function outcome(pkg: PackagePage, name: string): Promise<string> {
  const status = pkg.file(name).locator('.file-row__status');
  await expect(status).toHaveText(/Saved|Downloaded|Handed|Retry|could not/, { timeout: BIG_TIMEOUT });
  return (await status.textContent()) ?? '';
}

test('without File System Access: the browser’s own downloads save 600 MiB; the page says "handed"', async ({ page }) => {
  const small = file('big-600.bin');
  await removePickers(page);
  const pkg = await openAsRecipient(page);
  const memory = await watchBrowserMemory();
  const started = page.waitForEvent('download');
  await pkg.downloadButton(small.name).click();
  const download = await started;
  expect(download.suggestedFilename()).toBe(small.name);
  await expect(pkg.leaveWarning).toHaveCount(0);
  await page.screenshot({ path: '/tmp/ferry-download-browser-during.png', fullPage: true });
  expect(await download.failure()).toBeNull();
  const said = await outcome(pkg, small.name);
  const { growth } = await memory.stop();
  await page.screenshot({ path: '/tmp/ferry-download-browser-after.png', fullPage: true });
  console.log(`browser downloads, ${small.name}: browser memory grew ${(growth / 1e6).toFixed(0)} MB`);
  expect(said).toContain(`Handed to your browser's downloads · 629.1 MB delivered`);
  expect(said).toContain(small.sha256.slice(0, 8));
  expect(said).not.toMatch(/saved to/i);
  expect(await fileSha256(await download.path())).toBe(small.sha256);
  expect(growth).toBeLessThan(MEMORY_LIMIT);
});

test('without File System Access: "Download all" hands each file to the browser’s downloads in turn', async ({ page }) => {
  await removePickers(page);
  const pkg = await openAsRecipient(page);
  const memory = await watchBrowserMemory();
  const downloads = new Map<string, Promise<string | null>>();
  page.on('download', (download) => downloads.set(download.suggestedFilename(), download.failure()));
  const paths = new Map<string, Promise<string>>();
  page.on('download', (download) => paths.set(download.suggestedFilename(), download.path()));
  await pkg.downloadAllButton.click();
  for (const { name } of sent!.files) expect(await outcome(pkg, name)).toContain('Handed to your browser');
  await expect.poll(() => downloads.size, { timeout: BIG_TIMEOUT }).toBe(sent!.files.length);
  for (const sentFile of sent!.files) {
    expect(await downloads.get(sentFile.name)).toBeNull();
    expect(await fileSha256(await paths.get(sentFile.name)!)).toBe(sentFile.sha256);
  }
  const { growth } = await memory.stop();
  console.log(`browser downloads, Download all: browser memory grew ${(growth / 1e6).toFixed(0)} MB`);
  expect(growth).toBeLessThan(MEMORY_LIMIT);
});

test('the save picker: 2.6 GB streamed into the chosen file, "Saved" once it is closed', async ({ page }) => {
  const big = file('big-2600.bin');
  await useOpfsPickers(page);
  const pkg = await openAsRecipient(page);
  const memory = await watchBrowserMemory();
  await pkg.downloadButton(big.name).click();
  await expect(pkg.leaveWarning).toBeVisible();
  await expect
    .poll(async () => Number(await pkg.progress(big.name).getAttribute('value')), { timeout: 60_000 })
    .toBeGreaterThan(100 * MIB);
  await page.screenshot({ path: '/tmp/ferry-download-fsa-during.png', fullPage: true });
  const said = await outcome(pkg, big.name);
  const { growth } = await memory.stop();
  await page.screenshot({ path: '/tmp/ferry-download-fsa-after.png', fullPage: true });
  console.log(`save picker, ${big.name}: browser memory grew ${(growth / 1e6).toFixed(0)} MB`);
  expect(said).toContain(`Saved to ${big.name}`);
  await expect(pkg.leaveWarning).toHaveCount(0);
  expect(await opfsFile(page, [big.name])).toEqual({ size: big.size, sha256: big.sha256 });
  expect(growth).toBeLessThan(MEMORY_LIMIT);
});

test('the folder picker: "Download all" writes each file into the chosen folder', async ({ page }) => {
  await useOpfsPickers(page);
  const pkg = await openAsRecipient(page);
  const memory = await watchBrowserMemory();
  await pkg.downloadAllButton.click();
  const said = [];
  for (const { name } of sent!.files) said.push(await outcome(pkg, name));
  const { growth } = await memory.stop();
  console.log(`folder picker, Download all: browser memory grew ${(growth / 1e6).toFixed(0)} MB`);
  for (const [index, sentFile] of sent!.files.entries()) {
    expect(said[index]).toContain(`Saved to ${sentFile.name}`);
    expect(await opfsFile(page, ['picked', sentFile.name])).toEqual({ size: sentFile.size, sha256: sentFile.sha256 });
  }
  expect(growth).toBeLessThan(MEMORY_LIMIT);
});
