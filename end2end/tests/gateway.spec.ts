// The gateway's own listener: a person opening it sees that the browser is connected.
import { expect, test } from '@playwright/test';
import { ADMIN_PASSWORD, GATEWAY_PORT } from '../playwright.config';
import { LoginPage } from '../pages/login';
import { AppShell } from '../pages/shell';

test('the gateway check page says the browser is connected', async ({ page }) => {
  await page.goto(`http://127.0.0.1:${GATEWAY_PORT}/`);
  await expect(page).toHaveTitle(/connected/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(
    /Connected to the Ferry HTTP gateway/,
  );
  await expect(page.getByText('This browser has successfully connected to the Ferry HTTP gateway')).toBeVisible();
});

test('the web app links to the gateway check page', async ({ page, context }) => {
  const login = new LoginPage(page);
  await login.goto();
  await login.signIn('admin', ADMIN_PASSWORD);
  const shell = new AppShell(page);
  await expect(shell.gatewayCheck).toHaveAttribute('href', `http://127.0.0.1:${GATEWAY_PORT}`);
  const [checkPage] = await Promise.all([context.waitForEvent('page'), shell.gatewayCheck.click()]);
  await expect(checkPage.getByRole('heading', { level: 1 })).toHaveText(/Connected/);
});
