// A package sent in folders (as ferry-desktop sends it) on the package page: each file shows its
// folder before its name, a per-file browser download saves it under its name alone, and
// "Download as ZIP" saves one archive that unzips to the package's tree.
import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { ensureUser, signInAsAdmin } from '../pages/api';
import { removePickers } from '../pages/big';
import { sendWithFolders } from '../pages/desktop';
import { LoginPage } from '../pages/login';
import { PackagePage, savedSha256, sha256 } from '../pages/package';

const SENDER = { username: 'gus', password: 'gus-password-1' };
const RECIPIENT = { username: 'hana', password: 'hana-password-1' };

test('files in folders show their folder and download under their own name', async ({ page, request, playwright, baseURL }) => {
  await signInAsAdmin(request);
  for (const user of [SENDER, RECIPIENT]) {
    await ensureUser(request, user.username, user.password);
  }
  const sender = await playwright.request.newContext({ baseURL });
  const signedIn = await sender.post('/api/v1/session', {
    headers: { 'x-ferry-request': '1' },
    data: SENDER,
  });
  expect(signedIn.status()).toBe(200);
  const title = `Site survey ${Date.now()}`;
  const report = Buffer.from('The north wall leans.\n');
  const id = await sendWithFolders(sender, title, [RECIPIENT.username], [
    { path: 'survey/2026/report.txt', bytes: report },
    { path: 'readme.txt', bytes: Buffer.from('Top level.\n') },
  ]);

  // The browser's own downloads, which name the saved file.
  await removePickers(page);
  const login = new LoginPage(page);
  await login.goto();
  await login.signIn(RECIPIENT.username, RECIPIENT.password);
  await expect(page).toHaveURL(/\/received$/);
  const pkg = new PackagePage(page);
  await pkg.goto(`/packages/${id}`);
  await expect(pkg.file('report.txt')).toContainText('survey/2026/report.txt');
  await expect(pkg.file('readme.txt')).not.toContainText('/');
  const download = await pkg.download('report.txt');
  expect(await savedSha256(download)).toBe(sha256(report));

  await test.step('"Download as ZIP" saves the tree in one archive, and counts as downloaded', async () => {
    const zip = await pkg.downloadZip();
    expect(zip.suggestedFilename()).toBe(`${title}.zip`);
    await expect(pkg.files.getByRole('status')).toContainText('in your browser’s downloads');
    // Python's zipfile checks every entry's CRC-32 (testzip) and reads the tree back.
    const listing = execFileSync('python3', ['-c', UNZIP_LISTING, await zip.path()], { encoding: 'utf8' });
    expect(JSON.parse(listing)).toEqual({
      'survey/2026/report.txt': sha256(report),
      'readme.txt': sha256(Buffer.from('Top level.\n')),
    });
    await expect(async () => {
      const seen = await sender.get(`/api/v1/packages/${id}`);
      const detail = await seen.json();
      const mine = detail.recipient_status.find(
        (r: { user: { username: string } }) => r.user.username === RECIPIENT.username,
      );
      expect([mine.files_downloaded, mine.state]).toEqual([2, 'downloaded']);
    }).toPass({ timeout: 10_000 });
  });
});

/** Every entry of the ZIP at argv[1] with its SHA-256, after zipfile's CRC check of each. */
const UNZIP_LISTING = `
import hashlib, json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    bad = z.testzip()
    assert bad is None, bad
    print(json.dumps({i.filename: hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist()}))
`;
