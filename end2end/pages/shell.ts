// The signed-in app shell: main navigation, the signed-in user, sign out, and the footer.
import { type Locator, type Page } from '@playwright/test';

export class AppShell {
  readonly nav: Locator;
  readonly heading: Locator;
  readonly signOut: Locator;
  readonly gatewayCheck: Locator;

  constructor(readonly page: Page) {
    this.nav = page.getByRole('navigation', { name: 'Main' });
    this.heading = page.getByRole('heading', { level: 1 });
    this.signOut = page.getByRole('button', { name: 'Sign out' });
    this.gatewayCheck = page.getByRole('link', { name: 'Check the HTTP gateway connection' });
  }

  link(name: string): Locator {
    return this.nav.getByRole('link', { name, exact: true });
  }
}
