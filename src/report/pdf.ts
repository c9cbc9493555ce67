import { access } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

/** Chromium flags for printing: headless, no sandbox (containers), and nothing that talks to the network. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
] as const;

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** The parts of playwright-core this module uses (it is an optional dependency). */
export interface PlaywrightLike {
  chromium: {
    launch(options: { executablePath: string; args: string[]; headless: boolean }): Promise<BrowserLike>;
  };
}
export interface BrowserLike {
  newPage(): Promise<PageLike>;
  close(): Promise<void>;
}
export interface PageLike {
  route(url: string, handler: (route: { request(): { url(): string }; abort(): Promise<void>; continue(): Promise<void> }) => unknown): Promise<void>;
  goto(url: string, options?: { waitUntil?: 'load' }): Promise<unknown>;
  pdf(options: { path: string; format: string; printBackground: boolean; preferCSSPageSize: boolean }): Promise<unknown>;
}

/** Loads playwright-core and finds Chromium; returns the reason when either is missing. */
export async function loadBrowser(executablePath = process.env.TENANCY_AUDIT_CHROMIUM ?? DEFAULT_CHROMIUM): Promise<{ playwright: PlaywrightLike; executablePath: string } | { missing: string }> {
  let playwright: PlaywrightLike;
  try {
    const name = 'playwright-core';
    playwright = (await import(name)) as PlaywrightLike;
  } catch {
    return { missing: 'playwright-core is not installed (npm install playwright-core@1)' };
  }
  try {
    await access(executablePath);
  } catch {
    return { missing: `Chromium not found at ${executablePath} (install it, or set TENANCY_AUDIT_CHROMIUM)` };
  }
  return { playwright, executablePath };
}

/**
 * Prints `report.html` to PDF through headless Chromium. Every request other than the report file itself is
 * aborted. Returns `{ skipped }` with a reason when playwright-core or Chromium is missing.
 */
export async function renderPdf(htmlFile: string, pdfFile: string): Promise<{ path: string } | { skipped: string }> {
  const found = await loadBrowser();
  if ('missing' in found) return { skipped: `PDF not written: ${found.missing}` };
  const browser = await found.playwright.chromium.launch({ executablePath: found.executablePath, args: [...CHROMIUM_ARGS], headless: true });
  try {
    const page = await browser.newPage();
    const own = pathToFileURL(htmlFile).href;
    await page.route('**/*', (route) => (route.request().url() === own ? route.continue() : route.abort()));
    await page.goto(own, { waitUntil: 'load' });
    await page.pdf({ path: pdfFile, format: 'A4', printBackground: true, preferCSSPageSize: true });
    return { path: pdfFile };
  } finally {
    await browser.close();
  }
}
