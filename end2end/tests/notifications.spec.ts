// In-app notifications: a recipient who has the app open sees the bell's count go up when a
// package arrives (no reload: the bell polls), opens the list, marks the notification read, and
// the count goes down; following a notification's link marks it read too.
import { randomBytes } from 'node:crypto';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { ensureUser, signInAsAdmin } from '../pages/api';
import { LoginPage } from '../pages/login';
import { NotificationBell, NotificationsPage } from '../pages/notifications';
import { NewPackagePage } from '../pages/packages';
import { AppShell } from '../pages/shell';

const SENDER = { username: 'nora', password: 'nora-password-1' };
const RECIPIENT = { username: 'oscar', password: 'oscar-password-1' };
type Account = typeof SENDER;

test.beforeAll(async ({ request }) => {
  await signInAsAdmin(request);
  for (const user of [SENDER, RECIPIENT]) {
    await ensureUser(request, user.username, user.password);
  }
});

async function signIn(page: Page, user: Account) {
  const login = new LoginPage(page);
  await login.goto();
  await login.signIn(user.username, user.password);
  await expect(new AppShell(page).heading).toHaveText('Received');
}

/** The sender, in a browser of their own, sends a package titled `title` to the recipient. */
async function sendToRecipient(browser: Browser, title: string) {
  const senderContext = await browser.newContext();
  const senderPage = await senderContext.newPage();
  await signIn(senderPage, SENDER);
  const form = new NewPackagePage(senderPage);
  await form.goto();
  await form.fill({ title, recipients: [RECIPIENT.username] });
  await form.choose([{ name: 'plan.pdf', mimeType: 'application/pdf', buffer: randomBytes(2048) }]);
  await form.sendAndWait();
  await senderContext.close();
}

test('the bell counts a package that arrives, and marking it read lowers the count', async ({ page, browser }) => {
  test.setTimeout(90_000);
  await signIn(page, RECIPIENT);
  const bell = new NotificationBell(page);
  await bell.expectUnread(0);

  // The sender, in a browser of their own, sends a package while the recipient's page stays open.
  const title = `Site plans ${Date.now()}`;
  await sendToRecipient(browser, title);

  // No reload, no navigation: the bell's poll brings the count.
  const url = page.url();
  await bell.expectUnread(1, 30_000);
  expect(page.url()).toBe(url);

  await bell.link.click();
  const notifications = new NotificationsPage(page);
  await notifications.expectOpen();
  const item = notifications.item(title);
  await expect(item).toContainText(`${SENDER.username} sent you`);
  await expect(item.getByRole('link', { name: title })).toHaveAttribute('href', /^\/packages\/\d+$/);
  await notifications.markRead(item).click();
  await expect(notifications.markRead(item)).toHaveCount(0);
  await bell.expectUnread(0);
  await expect(notifications.markAll).toBeDisabled();

  // The link leads to the package.
  await item.getByRole('link', { name: title }).click();
  await expect(new AppShell(page).heading).toHaveText(title);
});

test('following an unread notification’s link marks it read', async ({ page, browser }) => {
  test.setTimeout(90_000);
  const title = `Roof survey ${Date.now()}`;
  await sendToRecipient(browser, title);
  await signIn(page, RECIPIENT);
  const bell = new NotificationBell(page);
  await bell.expectUnread(1);

  await bell.link.click();
  const notifications = new NotificationsPage(page);
  await notifications.expectOpen();
  const item = notifications.item(title);
  await expect(notifications.markRead(item)).toBeVisible();
  await item.getByRole('link', { name: title }).click();
  await expect(new AppShell(page).heading).toHaveText(title);
  await bell.expectUnread(0);

  await bell.link.click();
  await notifications.expectOpen();
  await expect(notifications.item(title)).toBeVisible();
  await expect(notifications.markRead(notifications.item(title))).toHaveCount(0);
});
