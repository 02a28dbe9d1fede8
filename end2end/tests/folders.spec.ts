// A package sent in folders (as ferry-desktop sends it) on the package page: each file shows its
// folder before its name, and a per-file browser download saves it under its name alone.
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
});
