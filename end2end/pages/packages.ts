// The New package form and the package lists.
import { expect, type Locator, type Page } from '@playwright/test';

export const PLAIN_HTTP_NOTICE = 'Transfers for this package go over plain HTTP.';

export class NewPackagePage {
  constructor(readonly page: Page) {}

  async goto() {
    await this.page.goto('/new');
    await expect(this.page.getByRole('heading', { level: 1, name: 'New package' })).toBeVisible();
  }

  async create(pkg: { title: string; note: string; recipients: string[] }) {
    await this.page.getByLabel('Title').fill(pkg.title);
    await this.page.getByLabel('Note').fill(pkg.note);
    const recipients = this.page.getByRole('combobox', { name: 'Recipients' });
    for (const recipient of pkg.recipients) {
      await recipients.fill(recipient);
      await recipients.press('Enter');
      await expect(this.page.getByRole('list', { name: 'People added' })).toContainText(recipient);
    }
    await this.page.getByRole('button', { name: 'Create package' }).click();
    await expect(this.page).toHaveURL(/\/packages\/\d+$/);
    await expect(this.page.getByRole('heading', { level: 1 })).toHaveText(pkg.title);
  }
}

export class PackageList {
  constructor(readonly page: Page) {}

  row(title: string): Locator {
    return this.page.getByRole('row').filter({ has: this.page.getByRole('link', { name: title }) });
  }
}
