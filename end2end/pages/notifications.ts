// The notification bell in the top bar and the Notifications page.
import { expect, type Locator, type Page } from '@playwright/test';

export class NotificationBell {
  readonly link: Locator;

  constructor(readonly page: Page) {
    this.link = page.getByRole('banner').getByRole('link', { name: /^Notifications, / });
  }

  /** Waits until the bell says `count` unread (0: none); the bell polls, so allow for a poll. */
  async expectUnread(count: number, timeout = 10_000) {
    const name = count === 0 ? 'Notifications, none unread' : `Notifications, ${count} unread`;
    await expect(this.link).toHaveAccessibleName(name, { timeout });
    if (count > 0) {
      await expect(this.link).toContainText(String(count));
    }
  }
}

export class NotificationsPage {
  readonly list: Locator;
  readonly markAll: Locator;

  constructor(readonly page: Page) {
    this.list = page.getByRole('region', { name: 'Notifications' }).getByRole('listitem');
    this.markAll = page.getByRole('button', { name: 'Mark all as read' });
  }

  async expectOpen() {
    await expect(this.page.getByRole('heading', { level: 1, name: 'Notifications' })).toBeVisible();
  }

  /** The notification that mentions `text` (a package title). */
  item(text: string): Locator {
    return this.list.filter({ hasText: text });
  }

  markRead(item: Locator): Locator {
    return item.getByRole('button', { name: /^Mark as read/ });
  }
}
