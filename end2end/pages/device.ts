// "Approve a desktop client" (/device), found the way a person finds it; and the device's side of
// the sign-in (RFC 8628), spoken to the API as ferry-desktop does: no cookie, no CSRF header.
import { expect, request as requests, type APIRequestContext, type Locator, type Page } from '@playwright/test';

export class DeviceApprovalPage {
  readonly heading: Locator;
  readonly code: Locator;
  readonly lookUp: Locator;
  readonly approve: Locator;
  readonly deny: Locator;
  readonly state: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1, name: 'Approve a desktop client' });
    this.code = page.getByLabel('Code shown by the device');
    this.lookUp = page.getByRole('button', { name: 'Look up' });
    this.approve = page.getByRole('button', { name: 'Approve' });
    this.deny = page.getByRole('button', { name: 'Deny' });
    this.state = page.getByRole('status').filter({ hasText: /\S/ });
  }

  /** The facts row `term` (Device, Code, Asked). */
  fact(term: string): Locator {
    return this.page.locator('.facts__row', { has: this.page.getByRole('term').filter({ hasText: term }) }).getByRole('definition');
  }
}

/** What `POST /api/v1/device/authorizations` answers. */
export interface DeviceAuthorization {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

/** A device signing in, with a request context of its own (so no browser cookie rides along). */
export class Device {
  private constructor(readonly api: APIRequestContext, readonly started: DeviceAuthorization) {}

  static async start(baseURL: string, deviceName: string): Promise<Device> {
    const api = await requests.newContext({ baseURL });
    const response = await api.post('/api/v1/device/authorizations', { data: { device_name: deviceName } });
    expect(response.status()).toBe(200);
    return new Device(api, await response.json());
  }

  /** One poll: the status and the JSON body (a token, or an error naming why not). */
  async poll(): Promise<{ status: number; body: any }> {
    const response = await this.api.post('/api/v1/device/token', {
      data: { device_code: this.started.device_code },
    });
    return { status: response.status(), body: await response.json() };
  }

  /** The approval page's path with the code filled in, as the device prints it. */
  approvalPath(): string {
    return new URL(this.started.verification_uri_complete).pathname + new URL(this.started.verification_uri_complete).search;
  }
}
