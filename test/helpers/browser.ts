// Debian's Chromium driven by playwright-core (no browser download, ever).
import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
// Static import: a dynamic one could load a second copy of the server modules (tsx CJS/ESM).
import { startTestServer, type TestServer } from './server';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function haveChromium(): boolean {
  return fs.existsSync(CHROMIUM);
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** Logs in through the login page, as a person would, and waits for the role's navigation. */
export async function loginThroughPage(page: import('playwright-core').Page, url: string, username: string, password = 'Sunshine@2026'): Promise<void> {
  await page.goto(url + '/');
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('nav').waitFor();
}

/** A test server and a browser for one browser-test file; stop both with closeServerAndBrowser. */
export async function startServerAndBrowser(opts: Parameters<typeof startTestServer>[0] = {}): Promise<{ s: TestServer; browser: Browser }> {
  const s = await startTestServer(opts);
  return { s, browser: await launchBrowser() };
}

export async function closeServerAndBrowser(s: TestServer | undefined, browser: Browser | undefined): Promise<void> {
  await browser?.close();
  await s?.stop();
}
