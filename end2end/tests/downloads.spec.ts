// Downloading a sent package's files from the package page: the saved bytes are the sent bytes,
// the sender sees who downloaded, leaving during a download asks first, Cancel stops one and saves
// nothing, a failed download resumes with Range, the "after all recipients" policy deletes the
// files, and an admin deletes by hand.
// Tests that follow the page writing a file stand in the origin-private file system for the save
// picker; the others take the browser's own downloads, as a browser without those pickers does.
import { randomBytes } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { AdminPage, StoredPackages } from '../pages/admin';
import { ensureUser, signInAsAdmin } from '../pages/api';
import { opfsFile, removePickers, useOpfsPickers } from '../pages/big';
import { LoginPage } from '../pages/login';
import { LEAVE_WARNING, PackagePage, savedSha256, sha256 } from '../pages/package';
import { NewPackagePage, PackageList, type TestFile } from '../pages/packages';
import { AppShell } from '../pages/shell';
import { ADMIN_PASSWORD } from '../playwright.config';

const SENDER = { username: 'dora', password: 'dora-password-1' };
const ERIN = { username: 'erin', password: 'erin-password-1' };
const FRANK = { username: 'frank', password: 'frank-password-1' };
type Account = typeof SENDER;

test.beforeAll(async ({ request }) => {
  await signInAsAdmin(request);
  for (const user of [SENDER, ERIN, FRANK]) {
    await ensureUser(request, user.username, user.password);
  }
});

async function signIn(page: Page, user: Account) {
  const login = new LoginPage(page);
  await login.goto();
  await login.signIn(user.username, user.password);
  await expect(new AppShell(page).heading).toHaveText('Received');
}

async function signOut(page: Page) {
  await new AppShell(page).signOut.click();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
}

/** The sender sends `files` to `recipients` from the New package page; answers the package's path. */
async function send(
  page: Page,
  pkg: { title: string; recipients: Account[]; expiration?: string },
  files: TestFile[],
): Promise<string> {
  await signIn(page, SENDER);
  const form = new NewPackagePage(page);
  await form.goto();
  await form.fill({ title: pkg.title, recipients: pkg.recipients.map((r) => r.username), expiration: pkg.expiration });
  await form.choose(files);
  const path = await form.sendAndWait();
  await signOut(page);
  return path;
}

function file(name: string, bytes: number): TestFile {
  return { name, mimeType: 'application/octet-stream', buffer: randomBytes(bytes) };
}

test('a recipient downloads each file, the bytes match, and the sender sees it downloaded', async ({ page }) => {
  const title = `Drawings ${Date.now()}`;
  const files: TestFile[] = [
    { name: 'empty.txt', mimeType: 'text/plain', buffer: Buffer.alloc(0) },
    { name: 'notes (final).txt', mimeType: 'text/plain', buffer: Buffer.from('Grüße, boots.\n') },
    file('plans.bin', 3 * 1024 * 1024 + 17),
  ];
  const path = await send(page, { title, recipients: [ERIN] }, files);

  await removePickers(page);
  await signIn(page, ERIN);
  const row = new PackageList(page).row(title);
  await expect(row).toContainText('Not downloaded');
  await row.getByRole('link', { name: title }).click();
  const pkg = new PackagePage(page);
  await expect(page).toHaveURL(path);
  for (const sent of files) {
    await expect(pkg.file(sent.name)).toContainText(sha256(sent.buffer));
  }

  await test.step('the first file: the package is partially downloaded', async () => {
    const download = await pkg.download(files[1].name);
    expect(await savedSha256(download)).toBe(sha256(files[1].buffer));
    await expect(pkg.file(files[1].name)).toContainText("Handed to your browser's downloads");
    await expect(pkg.progress(files[1].name)).toHaveAttribute('value', String(files[1].buffer.length));
    await expect(page.getByRole('heading', { level: 1 }).locator('..')).toContainText('Partially downloaded');
  });

  await test.step('the other files, one by one', async () => {
    for (const sent of [files[0], files[2]]) {
      const download = await pkg.download(sent.name);
      expect(await savedSha256(download)).toBe(sha256(sent.buffer));
    }
    await expect(pkg.leaveWarning).toHaveCount(0);
  });

  await test.step('the Received list says downloaded', async () => {
    await new AppShell(page).link('Received').click();
    await expect(new PackageList(page).row(title)).toContainText('Downloaded');
    await expect(new PackageList(page).row(title)).not.toContainText('Partially');
    await signOut(page);
  });

  await test.step('the sender sees the recipient downloaded it', async () => {
    await signIn(page, SENDER);
    await new PackagePage(page).goto(path);
    await expect(pkg.recipientState(ERIN.username)).toContainText('Downloaded');
    await expect(pkg.recipientState(ERIN.username)).not.toContainText('Partially');
    await expect(pkg.recipients.getByRole('row').filter({ hasText: `(${ERIN.username})` }).locator('time')).toBeVisible();
    await new AppShell(page).link('Sent').click();
    await expect(new PackageList(page).row(title)).toContainText('Downloaded by 1 of 1');
  });
});

test('leaving during a slowed download asks first; after it completes nothing asks', async ({ page, context }) => {
  const title = `Survey ${Date.now()}`;
  const big = file('survey.bin', 6 * 1024 * 1024);
  const path = await send(page, { title, recipients: [ERIN] }, [big]);
  await useOpfsPickers(page);
  await signIn(page, ERIN);
  const pkg = new PackagePage(page);
  await pkg.goto(path);
  const shell = new AppShell(page);
  await expect(pkg.leaveWarning).toHaveCount(0);

  // About 1 MB/s: the download takes several seconds.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: 1024 * 1024,
    uploadThroughput: -1,
  });
  await pkg.downloadButton(big.name).click();
  await expect(pkg.leaveWarning).toBeVisible();
  await expect
    .poll(async () => Number(await pkg.progress(big.name).getAttribute('value')), { timeout: 20_000 })
    .toBeGreaterThan(0);

  await test.step('in-app navigation asks, and staying keeps the download', async () => {
    const asked = new Promise<string>((resolve) =>
      page.once('dialog', async (dialog) => {
        resolve(`${dialog.type()}: ${dialog.message()}`);
        await dialog.dismiss();
      }),
    );
    await shell.link('Sent').click();
    expect(await asked).toBe(`confirm: ${LEAVE_WARNING}`);
    await expect(page).toHaveURL(path);
    await expect(pkg.leaveWarning).toBeVisible();
  });

  await test.step('closing the page raises the beforeunload dialog', async () => {
    const asked = new Promise<string>((resolve) =>
      page.once('dialog', async (dialog) => {
        resolve(dialog.type());
        await dialog.dismiss();
      }),
    );
    await page.close({ runBeforeUnload: true });
    expect(await asked).toBe('beforeunload');
    expect(page.isClosed()).toBe(false);
  });

  await test.step('after completion the notice and the guards are gone', async () => {
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    await expect(pkg.file(big.name)).toContainText(`Saved to ${big.name}`, { timeout: 60_000 });
    expect(await opfsFile(page, [big.name])).toEqual({ size: big.buffer.length, sha256: sha256(big.buffer) });
    await expect(pkg.leaveWarning).toHaveCount(0);
    const dialogs: string[] = [];
    page.on('dialog', async (dialog) => {
      dialogs.push(dialog.type());
      await dialog.dismiss();
    });
    // The page's own beforeunload handler no longer objects.
    const objects = await page.evaluate(() => {
      const event = new Event('beforeunload', { cancelable: true });
      window.dispatchEvent(event);
      return event.defaultPrevented;
    });
    expect(objects).toBe(false);
    await shell.link('Sent').click();
    await expect(shell.heading).toHaveText('Sent');
    await page.close({ runBeforeUnload: true });
    expect(dialogs).toEqual([]);
  });
});

test('Cancel stops a running download, saves nothing, and Download starts it over', async ({ page, context }) => {
  const title = `Drawings ${Date.now()}`;
  const big = file('drawings.bin', 6 * 1024 * 1024);
  const path = await send(page, { title, recipients: [ERIN] }, [big]);
  await useOpfsPickers(page);
  await signIn(page, ERIN);
  const pkg = new PackagePage(page);
  await pkg.goto(path);

  // About 512 KiB/s: the download is still running when Cancel is pressed.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const throttle = (bytesPerSecond: number) =>
    cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: bytesPerSecond,
      uploadThroughput: -1,
    });
  await throttle(512 * 1024);
  await expect(pkg.cancelButton(big.name)).toHaveCount(0);
  await pkg.downloadButton(big.name).click();
  await expect
    .poll(async () => Number(await pkg.progress(big.name).getAttribute('value')), { timeout: 20_000 })
    .toBeGreaterThan(0);
  await expect(pkg.leaveWarning).toBeVisible();

  await pkg.cancelButton(big.name).click();
  await expect(pkg.file(big.name)).toContainText('Download cancelled: nothing was saved.');
  await expect(pkg.cancelButton(big.name)).toHaveCount(0);
  await expect(pkg.progress(big.name)).toHaveCount(0);
  await expect(pkg.leaveWarning).toHaveCount(0);
  // The chosen file holds none of the bytes that had arrived.
  expect((await opfsFile(page, [big.name])).size).toBe(0);

  await throttle(-1);
  await pkg.downloadButton(big.name).click();
  await expect(pkg.file(big.name)).toContainText(`Saved to ${big.name}`, { timeout: 30_000 });
  expect(await opfsFile(page, [big.name])).toEqual({ size: big.buffer.length, sha256: sha256(big.buffer) });
});

test('a download cut short shows Retry, which fetches only the rest with Range', async ({ page }) => {
  const title = `Archive ${Date.now()}`;
  const big = file('archive.bin', 2 * 1024 * 1024 + 5);
  const path = await send(page, { title, recipients: [FRANK] }, [big]);
  await useOpfsPickers(page);
  await signIn(page, FRANK);
  const pkg = new PackagePage(page);
  await pkg.goto(path);

  // The first answer stops half-way (as a dropped connection would leave it); later ones are real.
  const half = 1024 * 1024;
  const requests: Record<string, string>[] = [];
  await page.route('**/files/*', async (route) => {
    requests.push(route.request().headers());
    if (requests.length > 1) {
      await route.continue();
      return;
    }
    const real = await route.fetch({ headers: { ...route.request().headers(), range: `bytes=0-${half - 1}` } });
    const headers = { ...real.headers() };
    delete headers['content-range'];
    delete headers['content-length'];
    await route.fulfill({ status: 200, headers, body: await real.body() });
  });
  await pkg.downloadButton(big.name).click();
  await expect(pkg.retryButton(big.name)).toBeVisible();
  await expect(pkg.file(big.name)).toContainText('The download ended early');
  await expect(pkg.leaveWarning).toHaveCount(0);

  await pkg.retryButton(big.name).click();
  await expect(pkg.file(big.name)).toContainText(`Saved to ${big.name}`);
  expect(await opfsFile(page, [big.name])).toEqual({ size: big.buffer.length, sha256: sha256(big.buffer) });
  expect(requests).toHaveLength(2);
  expect(requests[0].range).toBeUndefined();
  expect(requests[1].range).toBe(`bytes=${half}-`);
  expect(requests[1]['if-range']).toBe(`"${sha256(big.buffer)}"`);
});

test('under "after all recipients download", the last recipient’s download deletes the files', async ({ page }) => {
  const title = `Contracts ${Date.now()}`;
  const files = [file('contract.pdf', 200_000), file('annex.pdf', 50_000)];
  const path = await send(
    page,
    { title, recipients: [ERIN, FRANK], expiration: 'Delete after all recipients download all files' },
    files,
  );
  await removePickers(page);
  const pkg = new PackagePage(page);

  await test.step('the first recipient downloads everything: the files stay', async () => {
    await signIn(page, ERIN);
    await pkg.goto(path);
    const downloads = await pkg.downloadAll(files.length);
    for (const sent of files) {
      expect(await savedSha256(downloads.get(sent.name)!)).toBe(sha256(sent.buffer));
    }
    await expect(page.getByRole('heading', { level: 1 }).locator('..')).toContainText('Downloaded');
    await page.reload();
    await expect(pkg.downloadAllButton).toBeVisible();
    await expect(pkg.filesDeleted).toHaveCount(0);
    await signOut(page);
  });

  await test.step('the last recipient downloads everything: the page says the files were deleted', async () => {
    await signIn(page, FRANK);
    await pkg.goto(path);
    const downloads = await pkg.downloadAll(files.length);
    for (const sent of files) {
      expect(await savedSha256(downloads.get(sent.name)!)).toBe(sha256(sent.buffer));
    }
    await expect(pkg.filesDeleted).toBeVisible();
    await expect(pkg.downloadAllButton).toHaveCount(0);
    await expect(pkg.files.getByRole('button', { name: /^Download / })).toHaveCount(0);
    await new AppShell(page).link('Received').click();
    await expect(new PackageList(page).row(title)).toContainText('Files deleted');
    await signOut(page);
  });

  await test.step('the sender sees both recipients downloaded and the files deleted', async () => {
    await signIn(page, SENDER);
    await pkg.goto(path);
    await expect(pkg.filesDeleted).toBeVisible();
    await expect(pkg.recipientState(ERIN.username)).toContainText('Downloaded');
    await expect(pkg.recipientState(FRANK.username)).toContainText('Downloaded');
  });
});

test('an admin deletes a package’s files from the Admin page', async ({ page }) => {
  const title = `Old backups ${Date.now()}`;
  const path = await send(page, { title, recipients: [ERIN] }, [file('backup.tar', 100_000)]);

  const login = new LoginPage(page);
  await login.goto();
  await login.signIn('admin', ADMIN_PASSWORD);
  await new AppShell(page).link('Admin').click();
  await expect(new AdminPage(page).users).toBeVisible();
  const stored = new StoredPackages(page);
  await expect(stored.row(title)).toContainText(SENDER.username);
  await expect(stored.row(title)).toContainText(ERIN.username);
  await stored.deleteFiles(title);
  await expect(stored.row(title)).toHaveCount(0);
  await signOut(page);

  await signIn(page, ERIN);
  const pkg = new PackagePage(page);
  await pkg.goto(path);
  await expect(pkg.filesDeleted).toBeVisible();
  await expect(pkg.file('backup.tar')).toContainText('Deleted');
  await expect(pkg.downloadButton('backup.tar')).toHaveCount(0);
});
