// What the dashboard e2e tests share: Debian's headless Chromium (playwright-core, no browser
// download), a signed-in page at a given width, and the measurements the tests assert on — the
// page's own width, words broken across lines, and pixels of a colour on a chart's canvas.
// The functions passed to page.evaluate run in the page, hence the DOM types:
/// <reference lib="dom" />

import { chromium, type Browser, type Page } from 'playwright-core';
import { E2E_ADMIN_TOKEN } from './keygate-server';

export const SHOTS = 'test-results/dashboard';
export const DESKTOP = { width: 1366, height: 900 };
export const PHONE = { width: 390, height: 844 };
/** A chart is drawn after its data arrives and Chart.js has rendered it: on a busy machine that takes more than expect.poll's 1 s. */
export const CHART_DRAWN = { timeout: 10_000 };

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium' });
}

const errors = new WeakMap<Page, string[]>();

/** The console errors and uncaught exceptions of a page opened by `signedIn`, CSP violations included. */
export function consoleErrors(page: Page): string[] {
  return errors.get(page) ?? [];
}

/** A new tab of `viewport` size on the dashboard, signed in with the admin token. */
export async function signedIn(browser: Browser, url: string, viewport: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport });
  const page = await context.newPage();
  const seen: string[] = [];
  // A CSP violation (an inline style or script) is reported on the console as an error.
  page.on('console', (message) => {
    if (message.type() === 'error') seen.push(message.text());
  });
  page.on('pageerror', (error) => seen.push(String(error)));
  errors.set(page, seen);
  await page.goto(`${url}/_keygate/ui`);
  await page.getByLabel('Admin token').fill(E2E_ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Projects' }).waitFor();
  return page;
}

/** The page's scroll width: equal to the viewport's when nothing overflows it sideways. */
export function pageWidth(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth);
}

/**
 * Every word (a run of non-space characters) of the visible text that the layout split across two
 * lines: "En v", "Limit s", a key start over two lines. Inside canvases and form controls nothing
 * is text.
 */
export function brokenWords(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const broken: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    while (walker.nextNode()) {
      const node = walker.currentNode as Text;
      const parent = node.parentElement;
      if (!parent || parent.closest('canvas, select, option, script, noscript') || parent.getClientRects().length === 0) continue;
      for (const match of (node.textContent ?? '').matchAll(/\S+/g)) {
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set(
          Array.from(range.getClientRects())
            .filter((r) => r.width > 0)
            .map((r) => Math.round(r.top)),
        );
        if (tops.size > 1) broken.push(match[0]);
      }
    }
    return broken;
  });
}

/** `#rrggbb` as [r, g, b]. */
export function rgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [n >> 16, (n >> 8) & 0xff, n & 0xff];
}

/** Pixels of the chart's canvas within 8 of `hex` in each channel (the colour a series is drawn in). */
export function pixelsOf(page: Page, testId: string, hex: string): Promise<number> {
  return page.locator(`[data-testid="${testId}"] canvas`).evaluate((canvas: HTMLCanvasElement, [r, g, b]) => {
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i]! - r) < 8 && Math.abs(data[i + 1]! - g) < 8 && Math.abs(data[i + 2]! - b) < 8 && data[i + 3]! > 200) n++;
    }
    return n;
  }, rgb(hex));
}
