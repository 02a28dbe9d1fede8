// Signing in a desktop client (ferry-desktop login, RFC 8628) through the web app: the device asks
// for a code, its user opens the printed link, signs in, sees the device's name and approves it;
// the device's next poll gets an API token that then works. And: denying, and an unknown code.
import { expect, test } from '@playwright/test';
import { ADMIN_PASSWORD } from '../playwright.config';
import { Device, DeviceApprovalPage } from '../pages/device';
import { LoginPage } from '../pages/login';

test('a device is approved on its page and its token then works', async ({ page, baseURL }, testInfo) => {
  const name = `ferry-desktop on e2e-box-${Date.now()}`;
  const device = await Device.start(baseURL!, name);
  expect(device.started.user_code).toMatch(/^[B-DF-HJ-NP-TV-XZ]{4}-[B-DF-HJ-NP-TV-XZ]{4}$/);
  expect(device.started.verification_uri).toBe(`${baseURL}/device`);

  // Signed out: the link leads through sign-in and back to the page, code filled in.
  await page.goto(device.approvalPath());
  const login = new LoginPage(page);
  await expect(login.username).toBeVisible();
  await login.signIn('admin', ADMIN_PASSWORD);
  const approval = new DeviceApprovalPage(page);
  await expect(approval.heading).toBeVisible();
  await expect(page).toHaveURL(/\/device\?code=/);
  await expect(approval.code).toHaveValue(device.started.user_code);
  await expect(approval.fact('Device')).toHaveText(name);
  await expect(approval.fact('Code')).toHaveText(device.started.user_code);
  await expect(approval.state).toContainText('This device is waiting');
  // The device's secret is nowhere on the page.
  expect(await page.content()).not.toContain(device.started.device_code);
  await page.screenshot({ path: testInfo.outputPath('device-approval-pending.png'), fullPage: true });

  await approval.approve.click();
  await expect(approval.state).toContainText('Approved');
  await expect(approval.approve).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath('device-approval-approved.png'), fullPage: true });

  // The device polls and gets the approver's token (the server's tests cover the waiting).
  const granted = await device.poll();
  expect(granted.status).toBe(200);
  expect(granted.body.details.name).toBe(name);
  const mine = await device.api.get('/api/v1/me/tokens', {
    headers: { authorization: `Bearer ${granted.body.token}` },
  });
  expect(mine.status()).toBe(200);
  expect((await mine.json()).map((token: { name: string }) => token.name)).toContain(name);

  // Listed (and revocable) in Preferences with the admin's other tokens.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Preferences', exact: true }).click();
  await expect(page.getByText(name)).toBeVisible();
});

test('a denied device gets no token, and an unknown code says so', async ({ page, baseURL }) => {
  const login = new LoginPage(page);
  await login.goto();
  await login.signIn('admin', ADMIN_PASSWORD);
  await expect(page).toHaveURL(/\/received$/);

  const device = await Device.start(baseURL!, 'ferry-desktop on a stranger');
  await page.goto('/device');
  const approval = new DeviceApprovalPage(page);
  await approval.code.fill(device.started.user_code.toLowerCase().replace('-', ''));
  await approval.lookUp.click();
  await expect(approval.fact('Device')).toHaveText('ferry-desktop on a stranger');
  await approval.deny.click();
  await expect(approval.state).toContainText('Denied');
  expect((await device.poll()).body.error.code).toBe('access_denied');

  await approval.code.fill('ZZZZ-ZZZZ');
  await approval.lookUp.click();
  await expect(page.getByRole('heading', { name: 'Unknown code' })).toBeVisible();
  await approval.code.fill('nonsense');
  await approval.lookUp.click();
  await expect(page.getByRole('alert').filter({ hasText: '8 letters' })).toBeVisible();
});
