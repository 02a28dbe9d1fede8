// Playwright drives Debian's Chromium (never a downloaded browser) against a fresh `ferry serve`:
// a temporary data dir, fixed test ports, and the web app built by Trunk into ../dist.
import { defineConfig } from '@playwright/test';
import path from 'node:path';

// Overridable so that two checkouts can run their suites side by side.
export const WEB_PORT = Number(process.env.E2E_WEB_PORT ?? 18080);
export const GATEWAY_PORT = Number(process.env.E2E_GATEWAY_PORT ?? 14001);
export const ADMIN_PASSWORD = 'e2e-admin-password';

const root = path.resolve(__dirname, '..');
const dataDir = path.join(__dirname, '.tmp', 'data');

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
  webServer: {
    command: `rm -rf "${dataDir}" && exec "${path.join(root, 'target', 'debug', 'ferry')}" serve`,
    cwd: root,
    url: `http://127.0.0.1:${WEB_PORT}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      FERRY_DATA_DIR: dataDir,
      FERRY_HTTP_ADDR: `127.0.0.1:${WEB_PORT}`,
      FERRY_GATEWAY_ADDR: `127.0.0.1:${GATEWAY_PORT}`,
      // E2E_WEB_DIR: another build of the web app (to check a test against older code).
      FERRY_WEB_DIR: process.env.E2E_WEB_DIR ?? path.join(root, 'dist'),
      FERRY_ADMIN_PASSWORD: ADMIN_PASSWORD,
      FERRY_LOG: 'warn',
    },
  },
});
