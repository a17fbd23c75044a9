import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../shared/paths';
import { eventually } from './eventually';

/**
 * Real headless Chromium for the web console's tests: Debian's chromium (installed by npm test through
 * ensure-local-services.sh), driven by playwright-core, no browser download. The console's certificate comes
 * from the test federation's own CA, which the browser does not know: HTTPS errors are ignored for it.
 */
export const CHROMIUM = process.env.APE_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.join(PROJECT_ROOT, 'test-artifacts', 'console');

export async function avviaBrowser(): Promise<Browser> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // --no-sandbox: the test machine runs as root, where Chromium's sandbox cannot start.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/** A fresh browser profile (cookies of its own) at a laptop's screen size. */
export function nuovoContesto(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1366, height: 768 }, locale: 'it-IT', timezoneId: 'Europe/Rome' });
}

export async function screenshot(page: Page, nome: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${nome}.png`), fullPage: true });
}

/**
 * playwright-core has no auto-waiting assertions (those come with @playwright/test): these wait, up to a timeout,
 * for what the page should show, and fail with the text last seen.
 */
const norm = (s: string | null) => (s ?? '').replace(/\s+/g, ' ').trim();

async function testo(l: Locator): Promise<string> {
  return (await l.count()) === 0 ? '' : norm(await l.first().textContent());
}

async function attendi(l: Locator, ok: (t: string) => boolean, what: string, timeoutMs: number): Promise<void> {
  let ultimo = '';
  try {
    await eventually(async () => {
      ultimo = await testo(l);
      return ok(ultimo);
    }, { timeoutMs, what, intervalMs: 100 });
  } catch {
    throw new Error(`${what}: still not there after ${timeoutMs} ms; the page shows ${JSON.stringify(ultimo.slice(0, 500))}`);
  }
}

export function haTesto(l: Locator, atteso: string | RegExp, timeoutMs = 15_000): Promise<void> {
  return attendi(l, (t) => (typeof atteso === 'string' ? t === atteso : atteso.test(t)), `text ${String(atteso)}`, timeoutMs);
}

export function contieneTesto(l: Locator, atteso: string | RegExp, timeoutMs = 15_000): Promise<void> {
  return attendi(l, (t) => (typeof atteso === 'string' ? t.includes(atteso) : atteso.test(t)), `text containing ${String(atteso)}`, timeoutMs);
}

export async function haNumero(l: Locator, n: number, timeoutMs = 15_000): Promise<void> {
  let visti = -1;
  await eventually(async () => {
    visti = await l.count();
    return visti === n;
  }, { timeoutMs, what: `${n} elements (last seen ${visti})` });
}

/** Fills in and sends the console's login form (what happens next is the caller's to wait for). */
export async function compilaLogin(page: Page, base: string, utente: string, password: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByLabel('Identificativo operatore').fill(utente);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Accedi' }).click();
}
