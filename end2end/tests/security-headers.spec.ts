// The web app runs under its strict Content Security Policy: the page comes with the policy, the
// app starts, signs in and moves through every page with no violation reported by Chromium.
import { expect, test } from '@playwright/test';
import { ADMIN_PASSWORD } from '../playwright.config';
import { LoginPage } from '../pages/login';
import { AppShell } from '../pages/shell';

test('the app works under its Content Security Policy, with no violation', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) violations.push(message.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });

  const response = await page.goto('/login');
  const headers = response?.headers() ?? {};
  expect(headers['content-security-policy']).toContain("script-src 'self' 'wasm-unsafe-eval' 'sha256-");
  expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('same-origin');

  const login = new LoginPage(page);
  await expect(login.username).toBeVisible();
  await login.signIn('admin', ADMIN_PASSWORD);
  const shell = new AppShell(page);
  await expect(shell.heading).toHaveText('Received');
  for (const name of ['Sent', 'New package', 'Preferences', 'Admin', 'Received']) {
    await shell.link(name).click();
    await expect(shell.heading).toBeVisible();
  }
  expect(violations).toEqual([]);
});
