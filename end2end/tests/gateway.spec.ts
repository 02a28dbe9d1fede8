// The gateway's own listener (a person opening it sees that the browser is connected, or that an
// admin turned the gateway off), and pages left open while an admin turns the gateway off.
import { expect, test, type Page } from '@playwright/test';
import { ADMIN_PASSWORD, GATEWAY_PORT } from '../playwright.config';
import { ensureUser, signInAsAdmin, updateSettings } from '../pages/api';
import { removePickers, useOpfsPickers } from '../pages/big';
import { LoginPage } from '../pages/login';
import { PackagePage } from '../pages/package';
import { NewPackagePage, PackageList } from '../pages/packages';
import { AppShell } from '../pages/shell';

const RECIPIENT = { username: 'gwen', password: 'gwen-password-1' };
const SEND_OFF = 'Files cannot be sent while the HTTP gateway is turned off.';
const DOWNLOAD_OFF = 'Files cannot be downloaded while the HTTP gateway is turned off.';

test.beforeAll(async ({ request }) => {
  await signInAsAdmin(request);
  await ensureUser(request, RECIPIENT.username, RECIPIENT.password);
});

// Every test here leaves the gateway on, whatever happened.
test.afterEach(async ({ request }) => {
  await signInAsAdmin(request);
  await updateSettings(request, { gateway_enabled: true });
});

async function signInAsAdminPage(page: Page) {
  const login = new LoginPage(page);
  await login.goto();
  await login.signIn('admin', ADMIN_PASSWORD);
  await expect(new AppShell(page).heading).toHaveText('Received');
}

test('the gateway check page says the browser is connected', async ({ page }) => {
  await page.goto(`http://127.0.0.1:${GATEWAY_PORT}/`);
  await expect(page).toHaveTitle('Ferry HTTP gateway');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(
    /Connected to the Ferry HTTP gateway/,
  );
  await expect(page.getByText('This browser has successfully connected to the Ferry HTTP gateway')).toBeVisible();
});

test('the web app links to the gateway check page', async ({ page, context }) => {
  await signInAsAdminPage(page);
  const shell = new AppShell(page);
  await expect(shell.gatewayCheck).toHaveAttribute('href', `http://127.0.0.1:${GATEWAY_PORT}`);
  const [checkPage] = await Promise.all([context.waitForEvent('page'), shell.gatewayCheck.click()]);
  await expect(checkPage.getByRole('heading', { level: 1 })).toHaveText(/Connected/);
});

test('turned off under an open New package page: Send says so, the page switches, no draft is left', async ({
  page,
  request,
}) => {
  const title = `Never started ${Date.now()}`;
  await signInAsAdmin(request);
  await signInAsAdminPage(page);
  const form = new NewPackagePage(page);
  await form.goto();
  await form.fill({ title, recipients: [RECIPIENT.username] });
  await form.choose([{ name: 'plan.txt', mimeType: 'text/plain', buffer: Buffer.from('plan\n') }]);
  await expect(page.getByText(SEND_OFF)).toHaveCount(0);

  await updateSettings(request, { gateway_enabled: false });
  await form.send.click();
  await expect(form.alerts.filter({ hasText: 'turned off' })).toBeVisible();
  // The page learned the gateway is off: it says so and no longer offers Send.
  await expect(page.getByText(SEND_OFF)).toBeVisible();
  await expect(form.send).toBeDisabled();
  await expect(page.getByLabel('Title')).toHaveValue(title);

  await new AppShell(page).link('Sent').click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sent' })).toBeVisible();
  await expect(new PackageList(page).row(title)).toHaveCount(0);

  await page.goto(`http://127.0.0.1:${GATEWAY_PORT}/`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(/The Ferry HTTP gateway is turned off/);
  await expect(page.getByText('will now work')).toHaveCount(0);
});

for (const pickers of ['with the File System Access API', 'through the browser’s downloads'] as const) {
  test(`turned off under an open package page, ${pickers}: Download says so and stops offering downloads`, async ({
    page,
    request,
  }) => {
    const title = `Switched off ${Date.now()}`;
    await signInAsAdmin(request);
    if (pickers === 'with the File System Access API') {
      await useOpfsPickers(page);
    } else {
      await removePickers(page);
    }
    await signInAsAdminPage(page);
    const form = new NewPackagePage(page);
    await form.goto();
    await form.fill({ title, recipients: [RECIPIENT.username] });
    await form.choose([{ name: 'site.txt', mimeType: 'text/plain', buffer: Buffer.from('site\n') }]);
    const path = await form.sendAndWait();
    const pkg = new PackagePage(page);
    await expect(page).toHaveURL(path);
    await expect(pkg.downloadButton('site.txt')).toBeVisible();

    await updateSettings(request, { gateway_enabled: false });
    await pkg.downloadButton('site.txt').click();
    await expect(pkg.file('site.txt')).toContainText(
      'The HTTP gateway was turned off by an administrator. Download it again once it is turned back on.',
    );
    await expect(pkg.file('site.txt')).not.toContainText('Retry');
    await expect(page.getByText(DOWNLOAD_OFF)).toBeVisible();
    for (const name of [/^Download/, /^Retry/]) {
      await expect(pkg.files.getByRole('button', { name })).toHaveCount(0);
    }
  });
}
