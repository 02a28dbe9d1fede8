// The admin creates a user; the user sends a package and keeps a preference across a reload;
// turning the gateway off removes the low-speed notice from the lists.
import { expect, test } from '@playwright/test';
import { ADMIN_PASSWORD } from '../playwright.config';
import { AdminPage } from '../pages/admin';
import { signInAsAdmin, updateSettings } from '../pages/api';
import { LoginPage } from '../pages/login';
import { NewPackagePage, PackageList, LOW_SPEED_NOTICE } from '../pages/packages';
import { AppShell } from '../pages/shell';

const alice = {
  username: 'alice',
  displayName: 'Alice Example',
  email: 'alice@example.test',
  password: 'alice-password-1',
};

test.afterAll(async ({ request }) => {
  await signInAsAdmin(request);
  await updateSettings(request, { gateway_enabled: true });
});

test('admin creates a user who sends a package, keeps a preference, and loses the notice when the gateway is off', async ({
  page,
}) => {
  const login = new LoginPage(page);
  const shell = new AppShell(page);

  await test.step('the admin creates a user', async () => {
    await login.goto();
    await login.signIn('admin', ADMIN_PASSWORD);
    await shell.link('Admin').click();
    const admin = new AdminPage(page);
    await expect(admin.users).toBeVisible();
    await admin.createUser(alice);
    await shell.signOut.click();
  });

  await test.step('the user sends a package to the admin', async () => {
    await login.signIn(alice.username, alice.password);
    await expect(shell.heading).toHaveText('Received');
    await expect(shell.link('Admin')).toHaveCount(0);
    await shell.link('New package').click();
    const form = new NewPackagePage(page);
    await form.fill({ title: 'Quarterly report', note: 'Numbers for Q3.', recipients: ['admin'] });
    await expect(form.send).toBeDisabled();
    await form.choose([{ name: 'q3.csv', mimeType: 'text/csv', buffer: Buffer.from('a,b\n1,2\n') }]);
    await form.sendAndWait();
  });

  await test.step('"Disable desktop client" is kept across a reload', async () => {
    await shell.link('Preferences').click();
    const section = page.getByRole('region', { name: 'Desktop client' });
    const checkbox = section.getByLabel('Disable desktop client');
    await expect(checkbox).not.toBeChecked();
    await checkbox.check();
    await section.getByRole('button', { name: 'Update preferences' }).click();
    await expect(section.getByRole('status').filter({ hasText: 'Preferences updated.' })).toBeVisible();
    await page.reload();
    await expect(page.getByRole('region', { name: 'Desktop client' }).getByLabel('Disable desktop client')).toBeChecked();
  });

  await test.step('the Sent list shows the package with the low-speed notice', async () => {
    await shell.link('Sent').click();
    const row = new PackageList(page).row('Quarterly report');
    await expect(row).toBeVisible();
    await expect(row).toContainText(LOW_SPEED_NOTICE);
    await expect(row.getByRole('link', { name: 'Preferences', exact: true })).toHaveAttribute('href', '/preferences');
    await shell.signOut.click();
  });

  await test.step('the admin turns the gateway off', async () => {
    await login.signIn('admin', ADMIN_PASSWORD);
    await shell.link('Admin').click();
    await new AdminPage(page).setGatewayEnabled(false);
    await expect(shell.gatewayCheck).toHaveCount(0);
    await shell.signOut.click();
  });

  await test.step('the notice is gone from the lists', async () => {
    await login.signIn(alice.username, alice.password);
    await shell.link('Sent').click();
    const row = new PackageList(page).row('Quarterly report');
    await expect(row).toBeVisible();
    await expect(row).not.toContainText(LOW_SPEED_NOTICE);
    await expect(page.getByText(LOW_SPEED_NOTICE)).toHaveCount(0);
  });
});
