// Playwright drives Debian's Chromium (never a downloaded browser) against a fresh `ferry serve`:
// a temporary data dir, fixed test ports, and the web app built by Trunk into ../dist.
import { defineConfig } from '@playwright/test';
import path from 'node:path';

// Overridable so that two checkouts can run their suites side by side.
export const WEB_PORT = Number(process.env.E2E_WEB_PORT ?? 18080);
export const GATEWAY_PORT = Number(process.env.E2E_GATEWAY_PORT ?? 14001);
// A second `ferry serve` with `--tls self-signed`, for tests/tls.spec.ts.
export const TLS_WEB_PORT = Number(process.env.E2E_TLS_WEB_PORT ?? WEB_PORT + 363);
export const TLS_GATEWAY_PORT = Number(process.env.E2E_TLS_GATEWAY_PORT ?? GATEWAY_PORT + 363);
export const ADMIN_PASSWORD = 'e2e-admin-password';

const root = path.resolve(__dirname, '..');
const dataDir = path.join(__dirname, '.tmp', 'data');
const tlsDataDir = path.join(__dirname, '.tmp', 'data-tls');
const ferry = path.join(root, 'target', 'debug', 'ferry');

/** A fresh `ferry serve` on its own data dir and ports. */
function server(data: string, web: number, gateway: number, scheme: string, env: Record<string, string> = {}) {
  return {
    command: `rm -rf "${data}" && exec "${ferry}" serve`,
    cwd: root,
    url: `${scheme}://127.0.0.1:${web}/healthz`,
    ignoreHTTPSErrors: true,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe' as const,
    stderr: 'pipe' as const,
    env: {
      FERRY_DATA_DIR: data,
      FERRY_HTTP_ADDR: `127.0.0.1:${web}`,
      FERRY_GATEWAY_ADDR: `127.0.0.1:${gateway}`,
      // E2E_WEB_DIR: another build of the web app (to check a test against older code).
      FERRY_WEB_DIR: process.env.E2E_WEB_DIR ?? path.join(root, 'dist'),
      FERRY_ADMIN_PASSWORD: ADMIN_PASSWORD,
      FERRY_LOG: 'warn',
      ...env,
    },
  };
}

export default defineConfig({
  testDir: './tests',
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [['list']],
  timeout: 30_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL: `http://127.0.0.1:${WEB_PORT}`,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [
    { name: 'http', testIgnore: /tls\.spec\.ts/ },
    {
      name: 'tls',
      testMatch: /tls\.spec\.ts/,
      use: { baseURL: `https://127.0.0.1:${TLS_WEB_PORT}`, ignoreHTTPSErrors: true },
    },
  ],
  webServer: [
    server(dataDir, WEB_PORT, GATEWAY_PORT, 'http'),
    server(tlsDataDir, TLS_WEB_PORT, TLS_GATEWAY_PORT, 'https', { FERRY_TLS: 'self-signed' }),
  ],
});
