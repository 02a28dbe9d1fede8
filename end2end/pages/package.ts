// The package page: its files with their downloads, and each recipient's progress.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { expect, type Download, type Locator, type Page } from '@playwright/test';

export const LEAVE_WARNING = 'Ongoing transfers will be aborted if you navigate away from this page.';
export const FILES_DELETED = 'The files of this package were deleted on';

export function sha256(bytes: Buffer): string {
  // A plain view: this @types/node's Buffer does not type-check as its own BinaryLike.
  const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return createHash('sha256').update(view).digest('hex');
}

/** The SHA-256 of what the browser saved for `download`. */
export async function savedSha256(download: Download): Promise<string> {
  const path = await download.path();
  return sha256(await readFile(path));
}

export class PackagePage {
  readonly files: Locator;
  readonly recipients: Locator;
  readonly leaveWarning: Locator;
  readonly filesDeleted: Locator;
  readonly downloadAllButton: Locator;
  readonly zipButton: Locator;

  constructor(readonly page: Page) {
    this.files = page.getByRole('region', { name: 'Files' });
    this.recipients = page.getByRole('region', { name: 'Recipients' });
    this.leaveWarning = page.getByText(LEAVE_WARNING);
    this.filesDeleted = page.getByText(FILES_DELETED);
    this.downloadAllButton = this.files.getByRole('button', { name: 'Download all' });
    this.zipButton = this.files.getByRole('button', { name: 'Download as ZIP' });
  }

  async goto(path: string) {
    await this.page.goto(path);
    await expect(this.files).toBeVisible();
  }

  file(name: string): Locator {
    return this.files
      .getByRole('listitem')
      .filter({ has: this.page.getByText(name, { exact: true }) });
  }

  downloadButton(name: string): Locator {
    return this.files.getByRole('button', { name: `Download ${name}`, exact: true });
  }

  cancelButton(name: string): Locator {
    return this.files.getByRole('button', { name: `Cancel download of ${name}`, exact: true });
  }

  retryButton(name: string): Locator {
    return this.files.getByRole('button', { name: `Retry ${name}`, exact: true });
  }

  progress(name: string): Locator {
    return this.files.getByRole('progressbar', { name, exact: true });
  }

  /** Presses Download for one file and waits until the browser saves it. */
  async download(name: string): Promise<Download> {
    const saved = this.page.waitForEvent('download', { timeout: 60_000 });
    await this.downloadButton(name).click();
    const download = await saved;
    expect(download.suggestedFilename()).toBe(name);
    return download;
  }

  /** Presses Download all and waits until the browser has saved `count` files, by name. */
  async downloadAll(count: number): Promise<Map<string, Download>> {
    const downloads = new Map<string, Download>();
    const done = new Promise<void>((resolve) => {
      const onDownload = (download: Download) => {
        downloads.set(download.suggestedFilename(), download);
        if (downloads.size === count) {
          this.page.off('download', onDownload);
          resolve();
        }
      };
      this.page.on('download', onDownload);
    });
    await this.downloadAllButton.click();
    await done;
    return downloads;
  }

  /** Presses Download as ZIP and waits until the browser has saved the archive. */
  async downloadZip(): Promise<Download> {
    const saved = this.page.waitForEvent('download', { timeout: 60_000 });
    await this.zipButton.click();
    return saved;
  }

  /** The badge of a recipient's state in the Recipients table. */
  recipientState(username: string): Locator {
    return this.recipients.getByRole('row').filter({ hasText: `(${username})` }).getByRole('cell').nth(1);
  }
}
