// The New package form and the package lists.
import { expect, type Locator, type Page } from '@playwright/test';

/** The low-speed notice beside each package while transfers go through the browser. */
export const LOW_SPEED_NOTICE = 'You are using the browser’s HTTP transfer, which is slower.';

/** A file to choose in the browser, made in memory. */
export interface TestFile {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

export class NewPackagePage {
  readonly files: Locator;
  readonly send: Locator;
  /** What the disabled Send button says it still needs. */
  readonly whySendDisabled: Locator;
  readonly alerts: Locator;

  constructor(readonly page: Page) {
    this.files = page.getByRole('group', { name: 'Files' });
    this.send = page.getByRole('button', { name: 'Send package' });
    this.whySendDisabled = page.locator('#send-why');
    this.alerts = page.getByRole('alert');
  }

  async goto() {
    await this.page.goto('/new');
    await expect(this.page.getByRole('heading', { level: 1, name: 'New package' })).toBeVisible();
  }

  async fill(pkg: { title: string; note?: string; recipients: string[]; expiration?: string }) {
    await this.page.getByLabel('Title').fill(pkg.title);
    if (pkg.expiration) {
      await this.page.getByLabel('Expiration').selectOption({ label: pkg.expiration });
    }
    await this.page.getByLabel('Note').fill(pkg.note ?? '');
    const recipients = this.page.getByRole('combobox', { name: 'Recipients' });
    for (const recipient of pkg.recipients) {
      await recipients.fill(recipient);
      await recipients.press('Enter');
      await expect(this.page.getByRole('list', { name: 'People added' })).toContainText(recipient);
    }
  }

  async choose(files: TestFile[]) {
    await this.page.getByLabel('Add files').setInputFiles(files);
  }

  /** Sends and waits for the package's page, which says it is sent; answers that page's path. */
  async sendAndWait(): Promise<string> {
    await expect(this.send).toBeEnabled();
    await this.send.click();
    await expect(this.page).toHaveURL(/\/packages\/\d+$/, { timeout: 60_000 });
    await expect(this.page.getByRole('status').filter({ hasText: 'Package sent.' })).toBeVisible();
    return new URL(this.page.url()).pathname;
  }
}

export class PackageList {
  constructor(readonly page: Page) {}

  row(title: string): Locator {
    return this.page.getByRole('row').filter({ has: this.page.getByRole('link', { name: title }) });
  }
}
