import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, loadBrowser, renderReport } from '../../src/report/index.ts';
import { keyFiles, tempDir, writeSyntheticRun } from './support/synthetic-run.ts';

/** The slice of the playwright-core API this test drives (the package is optional). */
interface Page {
  on(event: 'request', fn: (r: { url(): string }) => void): void;
  on(event: 'console', fn: (m: { type(): string; text(): string }) => void): void;
  route(url: string, fn: (route: { request(): { url(): string }; abort(): Promise<void>; continue(): Promise<void> }) => unknown): Promise<void>;
  goto(url: string, o?: { waitUntil?: 'load' }): Promise<unknown>;
  locator(selector: string): { isVisible(): Promise<boolean>; count(): Promise<number>; first(): { isVisible(): Promise<boolean> }; scrollIntoViewIfNeeded(): Promise<void> };
  screenshot(o: { path: string; fullPage: boolean }): Promise<unknown>;
  emulateMedia(o: { media: 'print' | 'screen' }): Promise<void>;
  setViewportSize(o: { width: number; height: number }): Promise<void>;
  evaluate<T>(expression: string): Promise<T>;
}
interface Browser {
  newPage(o?: { viewport: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}

const found = await loadBrowser();
const available = !('missing' in found);
if (!available) console.warn(`[browser check skipped] report.html was not opened in a browser: ${found.missing}`);

const SECTIONS = ['#cover', '#summary', '#findings', '#suites', '#controls', '#integrity', '#methodology', '#coverage', '#appendix'];

describe.runIf(available)('report.html in headless Chromium', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
  });

  it('shows every section and the control matrix, makes no network request, and screenshots', async () => {
    if ('missing' in found) throw new Error(found.missing);
    const root = await tempDir('ta-browser-');
    cleanups.push(root.cleanup);
    const keys = await keyFiles(root.path);
    const run = await writeSyntheticRun(join(root.path, 'run'), { signKey: keys.privatePem });
    await renderReport(run.dir, { formats: ['html'] });
    const file = join(run.dir, 'report.html');
    const own = pathToFileURL(file).href;

    const chromium = (found.playwright as unknown as { chromium: { launch(o: object): Promise<Browser> } }).chromium;
    const browser = await chromium.launch({ executablePath: found.executablePath, args: [...CHROMIUM_ARGS], headless: true });
    cleanups.push(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    const consoleErrors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    await page.route('**/*', (route) => (route.request().url() === own ? route.continue() : route.abort()));
    await page.goto(own, { waitUntil: 'load' });

    for (const id of SECTIONS) {
      await page.locator(id).scrollIntoViewIfNeeded();
      expect(await page.locator(id).isVisible(), id).toBe(true);
    }
    expect(await page.locator('table.control-matrix').count()).toBe(2);
    expect(await page.locator('#framework-SOC2 tr[data-status="exception"]').first().isVisible()).toBe(true);
    expect(await page.locator('#framework-ISO27001 .out-of-scope').first().isVisible()).toBe(true);
    expect(await page.locator('#findings article.group').first().isVisible()).toBe(true);
    expect(await page.locator('#heat-map').isVisible()).toBe(true);
    expect(await page.locator('#overall-result').isVisible()).toBe(true);

    const shot = join(root.path, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect((await stat(shot)).size).toBeGreaterThan(10_000);

    await page.emulateMedia({ media: 'print' });
    await page.setViewportSize({ width: 794, height: 1123 }); // A4 at 96 dpi
    expect(await page.locator('nav.toc').isVisible()).toBe(false);
    expect(await page.locator('#controls').isVisible()).toBe(true);
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow, 'printed page is wider than A4').toBeLessThanOrEqual(0);

    expect(requests.filter((u) => u !== own)).toEqual([]);
    expect(consoleErrors).toEqual([]);
  }, 120_000);
});

