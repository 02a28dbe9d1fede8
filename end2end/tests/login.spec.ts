// Signing in and moving around the app shell, against the real binary and the built web app.
import { expect, test } from '@playwright/test';
import { ADMIN_PASSWORD } from '../playwright.config';
import { LoginPage } from '../pages/login';
import { AppShell } from '../pages/shell';

test('the admin signs in and sees the Received page', async ({ page }) => {
  const login = new LoginPage(page);
  await login.goto();
  await login.signIn('admin', ADMIN_PASSWORD);

  const shell = new AppShell(page);
  await expect(page).toHaveURL(/\/received$/);
  await expect(shell.heading).toHaveText('Received');
  for (const name of ['Received', 'Sent', 'New package', 'Preferences', 'Admin']) {
    await expect(shell.link(name)).toBeVisible();
  }
  await expect(shell.link('Received')).toHaveAttribute('aria-current', 'page');
});

test('a wrong password is refused with a clear message', async ({ page }) => {
  const login = new LoginPage(page);
  await login.goto();
  await login.signIn('admin', 'not-the-password');
  await expect(login.error).toContainText('Wrong username or password');
  await expect(page).toHaveURL(/\/login$/);
});

test('app routes need a session, survive a reload, and sign out ends the session', async ({ page }) => {
  await page.goto('/sent');
  const login = new LoginPage(page);
  await expect(login.username).toBeVisible();
  await login.signIn('admin', ADMIN_PASSWORD);

  const shell = new AppShell(page);
  await expect(shell.heading).toBeVisible();
  await shell.link('Sent').click();
  await expect(page).toHaveURL(/\/sent$/);
  await expect(shell.heading).toHaveText('Sent');
  await page.reload();
  await expect(shell.heading).toHaveText('Sent');

  await shell.signOut.click();
  await expect(login.username).toBeVisible();
  await page.goto('/preferences');
  await expect(login.username).toBeVisible();
});

test('an unknown path answers 404 and the app shows its not-found page', async ({ page }) => {
  const login = new LoginPage(page);
  await login.goto();
  await login.signIn('admin', ADMIN_PASSWORD);
  const shell = new AppShell(page);
  await expect(shell.heading).toHaveText('Received');

  const response = await page.goto('/no/such/page');
  expect(response?.status()).toBe(404);
  await expect(shell.heading).toHaveText('Page not found');
  await expect(shell.link('Received')).toBeVisible();

  // A page of the app still answers 200.
  expect((await page.goto('/sent'))?.status()).toBe(200);
  await expect(shell.heading).toHaveText('Sent');
});
