// Direct package API calls for test set-up and clean-up (never for what a test asserts).
import { expect, type APIRequestContext } from '@playwright/test';
import { ADMIN_PASSWORD } from '../playwright.config';

const WRITE = { 'x-ferry-request': '1' };

/** Signs the request context in as the admin (it keeps the session cookie). */
export async function signInAsAdmin(request: APIRequestContext) {
  const response = await request.post('/api/v1/session', {
    headers: WRITE,
    data: { username: 'admin', password: ADMIN_PASSWORD },
  });
  expect(response.status()).toBe(200);
}

/** Changes some admin settings, keeping the rest. */
export async function updateSettings(request: APIRequestContext, change: Record<string, unknown>) {
  const current = await (await request.get('/api/v1/settings')).json();
  const response = await request.put('/api/v1/admin/settings', {
    headers: WRITE,
    data: { ...current, ...change },
  });
  expect(response.status()).toBe(200);
}

/** Makes sure a user exists, creating it through the admin API (signed in as admin). */
export async function ensureUser(request: APIRequestContext, username: string, password: string) {
  const response = await request.post('/api/v1/admin/users', {
    headers: WRITE,
    data: { username, display_name: username, email: `${username}@example.test`, role: 'user', password },
  });
  expect([201, 409]).toContain(response.status());
}
