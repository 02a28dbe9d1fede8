// The Admin page: users and settings.
import { expect, type Locator, type Page } from '@playwright/test';

export class AdminPage {
  readonly users: Locator;
  readonly settings: Locator;

  constructor(readonly page: Page) {
    this.users = page.getByRole('region', { name: 'Users' });
    this.settings = page.getByRole('region', { name: 'Settings' });
  }

  async goto() {
    await this.page.goto('/admin');
    await expect(this.users).toBeVisible();
  }

  async createUser(user: { username: string; displayName: string; email: string; password: string }) {
    await this.users.getByLabel('Username', { exact: true }).fill(user.username);
    await this.users.getByLabel('Display name', { exact: true }).fill(user.displayName);
    await this.users.getByLabel('Email', { exact: true }).fill(user.email);
    await this.users.getByLabel('Role', { exact: true }).selectOption({ label: 'User' });
    await this.users.getByLabel('Password', { exact: true }).fill(user.password);
    await this.users.getByRole('button', { name: 'Create user' }).click();
    await expect(this.users.getByRole('status').filter({ hasText: 'created' })).toBeVisible();
    await expect(this.users.getByRole('cell', { name: user.username, exact: true })).toBeVisible();
  }

  async setGatewayEnabled(enabled: boolean) {
    await this.settings.getByLabel('Enable the HTTP gateway').setChecked(enabled);
    await this.settings.getByRole('button', { name: 'Save settings' }).click();
    await expect(this.settings.getByRole('status').filter({ hasText: 'Settings saved.' })).toBeVisible();
  }
}

/** The Admin page's Packages section: packages whose files are still stored. */
export class StoredPackages {
  readonly region: Locator;

  constructor(readonly page: Page) {
    this.region = page.getByRole('region', { name: 'Packages' });
  }

  row(title: string): Locator {
    return this.region.getByRole('row').filter({ has: this.page.getByRole('link', { name: title, exact: true }) });
  }

  /** Deletes a package's files through the confirmation dialog. */
  async deleteFiles(title: string) {
    await this.row(title).getByRole('button', { name: `Delete the files of ${title}` }).click();
    const dialog = this.page.getByRole('dialog', { name: 'Delete these files?' });
    await expect(dialog).toContainText(title);
    await dialog.getByRole('button', { name: 'Delete files' }).click();
    await expect(this.region.getByRole('status')).toHaveText(`The files of “${title}” were deleted.`);
  }
}
