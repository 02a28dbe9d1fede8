// Ferry serving TLS itself (`--tls self-signed`), as the README's example does: Chromium speaks
// HTTP/2 to it, which names the site in `:authority` and sends no `Host` header. Signing in,
// sending and downloading must all work there (the CSRF check once compared `Origin` with `Host`
// only, and refused every sign-in with 403).
import { randomBytes } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { ensureUser, signInAsAdmin } from '../pages/api';
import { removePickers } from '../pages/big';
import { LoginPage } from '../pages/login';
import { PackagePage, savedSha256, sha256 } from '../pages/package';
import { NewPackagePage, type TestFile } from '../pages/packages';
import { AppShell } from '../pages/shell';

const SENDER = { username: 'tess', password: 'tess-password-1' };
const RECIPIENT = { username: 'uma', password: 'uma-password-1' };

test.beforeAll(async ({ request }) => {
  await signInAsAdmin(request);
  for (const user of [SENDER, RECIPIENT]) {
    await ensureUser(request, user.username, user.password);
  }
});

async function signIn(page: Page, user: typeof SENDER) {
  const login = new LoginPage(page);
  await login.goto();
  await login.signIn(user.username, user.password);
  await expect(new AppShell(page).heading).toHaveText('Received');
}

/** The protocol the page's last request to `path` went over (`h2` for HTTP/2). */
async function protocolOf(page: Page, path: string): Promise<string> {
  return page.evaluate((path) => {
    const entries = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    const entry = entries.filter((e) => new URL(e.name).pathname === path).pop();
    return entry?.nextHopProtocol ?? 'none';
  }, path);
}

test('over HTTPS and HTTP/2 a user signs in, sends a package, and the recipient downloads it', async ({ page }) => {
  const title = `Over TLS ${Date.now()}`;
  const sent: TestFile = { name: 'secret.bin', mimeType: 'application/octet-stream', buffer: randomBytes(300_000) };

  await test.step('the sender signs in over HTTP/2', async () => {
    await signIn(page, SENDER);
    expect(page.url()).toMatch(/^https:/);
    expect(await protocolOf(page, '/api/v1/session')).toBe('h2');
  });

  let path = '';
  await test.step('and sends a package through the gateway over TLS', async () => {
    const form = new NewPackagePage(page);
    await form.goto();
    await form.fill({ title, recipients: [RECIPIENT.username] });
    await form.choose([sent]);
    path = await form.sendAndWait();
    await new AppShell(page).signOut.click();
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  });

  await test.step('the recipient signs in and downloads the same bytes', async () => {
    // The browser's own downloads fetch the file's link from the gateway over TLS.
    await removePickers(page);
    await signIn(page, RECIPIENT);
    const pkg = new PackagePage(page);
    await pkg.goto(path);
    const download = await pkg.download(sent.name);
    expect(await savedSha256(download)).toBe(sha256(sent.buffer));
    await expect(pkg.file(sent.name)).toContainText("Handed to your browser's downloads");
  });
});
