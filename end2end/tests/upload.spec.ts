// Sending files through the HTTP gateway from the New package page.
import { randomBytes } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { ADMIN_PASSWORD } from '../playwright.config';
import { ensureUser, signInAsAdmin } from '../pages/api';
import { LoginPage } from '../pages/login';
import { NewPackagePage, PackageList, type TestFile } from '../pages/packages';
import { AppShell } from '../pages/shell';

const RECIPIENT = { username: 'carol', password: 'carol-password-1' };

test.beforeAll(async ({ request }) => {
  await signInAsAdmin(request);
  await ensureUser(request, RECIPIENT.username, RECIPIENT.password);
});

async function signIn(page: import('@playwright/test').Page, username: string, password: string) {
  const login = new LoginPage(page);
  await login.goto();
  await login.signIn(username, password);
  await expect(new AppShell(page).heading).toHaveText('Received');
}

test('three files, one empty and one of several MB, reach the recipient', async ({ page }) => {
  const title = `Site photos ${Date.now()}`;
  await signIn(page, 'admin', ADMIN_PASSWORD);
  const form = new NewPackagePage(page);
  await form.goto();
  // Send says why it cannot be pressed yet.
  await expect(form.send).toBeDisabled();
  await expect(form.whySendDisabled).toHaveText('To send, add a title, a recipient and a file.');
  await form.fill({ title, note: 'From Tuesday.', recipients: [RECIPIENT.username] });
  await expect(form.whySendDisabled).toHaveText('To send, add a file.');
  const files: TestFile[] = [
    { name: 'empty.txt', mimeType: 'text/plain', buffer: Buffer.alloc(0) },
    { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('Bring boots.\n') },
    { name: 'survey.bin', mimeType: 'application/octet-stream', buffer: randomBytes(6 * 1024 * 1024) },
  ];
  await form.choose(files);
  await expect(page.getByRole('list', { name: 'Chosen files' }).getByRole('listitem')).toHaveCount(3);
  await expect(form.files).toContainText('3 of 10 files · 6.3 MB');
  await expect(form.whySendDisabled).toHaveText('');
  const path = await form.sendAndWait();
  // Sending opens the package's page.
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  expect(path).toMatch(/^\/packages\/\d+$/);
  await expect(page.getByRole('progressbar', { name: 'Total' })).toHaveCount(0);
  await expect(page.getByText('Ongoing transfers will be aborted')).toHaveCount(0);

  await new AppShell(page).signOut.click();
  await signIn(page, RECIPIENT.username, RECIPIENT.password);
  const row = new PackageList(page).row(title);
  await expect(row).toBeVisible();
  await expect(row.getByRole('cell').nth(2)).toHaveText('3');
  await row.getByRole('link', { name: title }).click();
  const fileList = page.getByRole('region', { name: 'Files' });
  for (const file of files) {
    await expect(fileList).toContainText(file.name);
  }
});

test('an 11th file and a dropped folder are refused with their messages', async ({ page }) => {
  await signIn(page, 'admin', ADMIN_PASSWORD);
  const form = new NewPackagePage(page);
  await form.goto();
  const eleven: TestFile[] = Array.from({ length: 11 }, (_, i) => ({
    name: `part-${i + 1}.txt`,
    mimeType: 'text/plain',
    buffer: Buffer.from(`part ${i + 1}\n`),
  }));
  await form.choose(eleven);
  await expect(form.alerts.filter({ hasText: 'A package can have at most 10 files' })).toContainText('part-11.txt');
  await expect(page.getByRole('list', { name: 'Chosen files' }).getByRole('listitem')).toHaveCount(10);

  // A real folder cannot be dropped from a test: make the browser report the dropped item as one.
  await page.evaluate(() => {
    const original = DataTransferItem.prototype.webkitGetAsEntry;
    DataTransferItem.prototype.webkitGetAsEntry = function () {
      const file = this.getAsFile();
      if (file?.name === 'photos') {
        return { isDirectory: true, isFile: false, name: 'photos' } as unknown as FileSystemEntry;
      }
      return original.call(this);
    };
    const data = new DataTransfer();
    data.items.add(new File([], 'photos'));
    const zone = document.querySelector('.dropzone');
    zone?.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  });
  await expect(form.alerts.filter({ hasText: 'Folders cannot be sent: photos' })).toBeVisible();
});

test('a draft left by a reload is filled in again, and "Discard draft" deletes it', async ({ page, context }) => {
  const title = `Left behind ${Date.now()}`;
  await signIn(page, 'admin', ADMIN_PASSWORD);
  const form = new NewPackagePage(page);
  await form.goto();
  await form.fill({ title, recipients: [RECIPIENT.username] });
  await form.choose([
    { name: 'slow.bin', mimeType: 'application/octet-stream', buffer: randomBytes(8 * 1024 * 1024) },
  ]);
  // Slow enough that the upload is still running at the reload.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: 512 * 1024,
  });
  await form.send.click();
  await expect(page.getByRole('progressbar', { name: 'slow.bin' })).toBeVisible();
  page.on('dialog', (dialog) => dialog.accept());
  await page.reload();
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: -1,
  });

  const banner = page.getByRole('status').filter({ hasText: `“${title}” was not sent yet` });
  await expect(banner).toContainText('Choose its files again (slow.bin)');
  await expect(page.getByLabel('Title')).toHaveValue(title);
  await banner.getByRole('button', { name: 'Discard draft' }).click();
  await expect(banner).toHaveCount(0);
  await expect(page.getByLabel('Title')).toHaveValue('');
  await expect(page.getByRole('list', { name: 'People added' })).toHaveCount(0);

  // The draft is gone from the Sent list, and a reload restores nothing.
  await new AppShell(page).link('Sent').click();
  await expect(new PackageList(page).row(title)).toHaveCount(0);
  await form.goto();
  await expect(page.getByText('was not sent yet')).toHaveCount(0);
});

test('an upload interrupted by going offline resumes and completes', async ({ page, context }) => {
  await signIn(page, 'admin', ADMIN_PASSWORD);
  const form = new NewPackagePage(page);
  await form.goto();
  await form.fill({ title: 'Offline test', recipients: [RECIPIENT.username] });
  const big: TestFile = {
    name: 'big.bin',
    mimeType: 'application/octet-stream',
    buffer: randomBytes(24 * 1024 * 1024),
  };
  await form.choose([big]);
  // Slow the upload down so that it is still running when the network goes away.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: 4 * 1024 * 1024,
  });
  await form.send.click();
  const progress = page.getByRole('progressbar', { name: 'big.bin' });
  await expect(progress).toBeVisible();
  await expect
    .poll(async () => Number(await progress.getAttribute('value')), { timeout: 20_000 })
    .toBeGreaterThan(0);
  await context.setOffline(true);
  await expect(page.getByText('Connection lost, retrying')).toBeVisible({ timeout: 20_000 });
  await context.setOffline(false);
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: -1,
  });
  await expect(page.getByRole('status').filter({ hasText: 'Package sent.' })).toBeVisible({ timeout: 60_000 });
});
