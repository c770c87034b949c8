// The dashboard in a real browser: Debian's headless Chromium driven by playwright-core against the
// deploy bundle in workerd (with its static assets). Signs in, creates a project and keys, calls
// the gateway, reads the usage charts and the request log, disables and revokes, and shows that a
// key name carrying HTML stays text. Screenshots go to test-results/dashboard/.
// The functions passed to page.evaluate run in the page, hence the DOM types:
/// <reference lib="dom" />

import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTCOME_COLOURS } from '../../src/core/outcome-colours';
import { brokenWords, CHART_DRAWN, DESKTOP, launch, pageWidth, pixelsOf as pixelsIn, SHOTS } from './dashboard-driver';
import { E2E_ADMIN_TOKEN, startStack, type Stack } from './keygate-server';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const XSS_NAME = '<img src=x onerror=window.__xss=1>';
/** The slate of bars that are not outcomes (ui/charts.ts NEUTRAL). */
const NEUTRAL = '#64748b';

let stack: Stack;
let browser: Browser;
let page: Page;
const requestedUrls: string[] = [];
const pageErrors: string[] = [];

declare global {
  interface Window {
    __xss?: unknown;
    __cspViolations: string[];
  }
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  stack = await startStack();
  browser = await launch();
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: DESKTOP });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.keygate.url });
  page = await context.newPage();
  // Runs outside the page's CSP (injected by the browser driver), to record any violation.
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  page.on('request', (req) => requestedUrls.push(req.url()));
  page.on('pageerror', (error) => pageErrors.push(String(error)));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** A call through keygate with `key`, as an API client would make it. */
async function callGateway(key: string, path: string): Promise<number> {
  const res = await fetch(`${stack.keygate.url}${path}`, { headers: { Authorization: `Bearer ${key}` } });
  await res.arrayBuffer();
  return res.status;
}

function keyRow(name: string) {
  return page.locator('[data-testid="keys"] tbody tr').filter({ has: page.getByRole('link', { name, exact: true }) });
}

function pixelsOf(testId: string, hex: string): Promise<number> {
  return pixelsIn(page, testId, hex);
}

describe('e2e: dashboard in Chromium', () => {
  let key = '';

  it('is served with the strict CSP; the docs page is served from the same assets', async () => {
    const res = await page.goto(`${stack.keygate.url}/_keygate/ui`);
    expect(res?.status()).toBe(200);
    const headers = res!.headers();
    expect(headers['content-security-policy']).toBe(CSP);
    expect(headers['cache-control']).toBe('no-store');
    expect(headers['referrer-policy']).toBe('no-referrer');
    const docs = await fetch(`${stack.keygate.url}/_keygate/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger-ui-bundle.js');
  });

  it('refuses a wrong token and signs in with the admin token', async () => {
    await page.getByLabel('Admin token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('#notice').textContent()).toContain('Wrong admin token');
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await page.getByLabel('Admin token').fill(E2E_ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('keygate.adminToken'))).toBe(E2E_ADMIN_TOKEN);
    // The earlier refusal is answered: its notice is gone.
    expect(await page.locator('#notice').textContent()).toBe('');
    expect(await page.locator('#notice').isVisible()).toBe(false);
  });

  it('creates a project and a key, shown once with a copy button, and lists it', async () => {
    await page.getByRole('form', { name: 'New project' }).getByLabel('Name').fill('clinic app');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('heading', { name: 'clinic app' }).waitFor();
    const form = page.getByRole('form', { name: 'New key' });
    await form.getByLabel('Name').fill('reader');
    await form.getByLabel('Scopes').fill('forms:read');
    await form.getByRole('button', { name: 'Create key' }).click();
    key = (await page.getByTestId('new-key-value').textContent()) ?? '';
    expect(key).toMatch(/^kg_live_[0-9A-Za-z]{38}$/);
    await expect.poll(() => page.getByTestId('new-key').textContent()).toContain('shown once');
    await page.getByTestId('new-key').getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    expect(await keyRow('reader').getByTestId('key-status').textContent()).toBe('active');
    expect(await keyRow('reader').textContent()).toContain(key.slice(3, 15));
  });

  it('shows the usage charts with the calls made through keygate', async () => {
    for (let i = 0; i < 3; i++) expect(await callGateway(key, `/forms/${i}`)).toBe(200);
    expect(await callGateway(key, '/elsewhere')).toBe(404);
    await page.getByTestId('usage').getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => page.getByTestId('usage-total').textContent()).toBe('4 calls');
    const totals = await page.locator('.totals').textContent();
    expect(totals).toContain('1 refused');
    expect(totals).toContain('allowed 3');
    expect(totals).toContain('route-not-found 1');
    // The charts drew their data in the shared outcome colours: "allowed" green over time, the
    // denial in route-not-found's own colour, routes in a slate no outcome owns.
    await expect.poll(() => pixelsOf('chart-over-time', OUTCOME_COLOURS.allowed!.hex), CHART_DRAWN).toBeGreaterThan(20);
    await expect.poll(() => pixelsOf('chart-denials', OUTCOME_COLOURS['route-not-found']!.hex), CHART_DRAWN).toBeGreaterThan(20);
    await expect.poll(() => pixelsOf('chart-top-routes', NEUTRAL), CHART_DRAWN).toBeGreaterThan(20);
    expect(Object.values(OUTCOME_COLOURS).map((c) => c.hex)).not.toContain(NEUTRAL);
    // At 1366 px no word of the page is broken across lines (the keys table: "Env", "Limits", a key start).
    expect(await brokenWords(page)).toEqual([]);
    expect(await pageWidth(page)).toBe(DESKTOP.width);
    // Once dismissed, the plaintext is gone from the page (and from the screenshot).
    await page.getByRole('button', { name: 'I have stored it' }).click();
    expect(await page.content()).not.toContain(key);
    await page.screenshot({ path: `${SHOTS}/project.png`, fullPage: true });
  });

  it("shows a key's recent requests", async () => {
    await page.getByTestId('keys').getByRole('link', { name: 'reader', exact: true }).click();
    await page.getByRole('heading', { name: 'reader' }).waitFor();
    const rows = page.locator('[data-testid="requests"] tbody tr');
    await expect.poll(() => rows.count()).toBe(4);
    expect(await rows.first().textContent()).toContain('/elsewhere');
    expect(await page.getByTestId('requests').textContent()).toContain('/forms/0');
    // The key page shows when the key was last used, with no call after the ones above.
    const lastUsed = page.locator('dl.details dt:text-is("Last used") + dd');
    await expect
      .poll(
        async () => {
          await page.reload();
          await page.getByRole('heading', { name: 'reader' }).waitFor();
          return lastUsed.textContent();
        },
        { timeout: 15_000, interval: 1_000 },
      )
      .not.toBe('never');
    await page.screenshot({ path: `${SHOTS}/key.png`, fullPage: true });
    await page.goBack();
    await page.getByRole('heading', { name: 'clinic app' }).waitFor();
    expect(await keyRow('reader').textContent()).not.toContain('never');
    await page.screenshot({ path: `${SHOTS}/project-used.png`, fullPage: true });
  });

  it('disables and enables a key, then revokes it after confirmation', async () => {
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });
    await keyRow('reader').getByRole('button', { name: 'Disable' }).click();
    await expect.poll(() => keyRow('reader').getByTestId('key-status').textContent()).toBe('disabled');
    expect(await callGateway(key, '/forms/1')).toBe(401);
    await keyRow('reader').getByRole('button', { name: 'Enable' }).click();
    await expect.poll(() => keyRow('reader').getByTestId('key-status').textContent()).toBe('active');
    await keyRow('reader').getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => keyRow('reader').getByTestId('key-status').textContent()).toBe('revoked');
    expect(dialogs).toEqual([expect.stringContaining('Disable key "reader"'), expect.stringContaining('Revoke key "reader"')]);
    expect(await keyRow('reader').getByRole('button').count()).toBe(0);
    expect(await callGateway(key, '/forms/1')).toBe(401);
    page.removeAllListeners('dialog');
  });

  it('renders a key name carrying HTML as text', async () => {
    const form = page.getByRole('form', { name: 'New key' });
    await form.getByLabel('Name').fill(XSS_NAME);
    await form.getByRole('button', { name: 'Create key' }).click();
    await page.getByTestId('new-key').waitFor();
    const link = page.getByRole('link', { name: XSS_NAME, exact: true });
    expect(await link.textContent()).toBe(XSS_NAME);
    expect(await page.getByTestId('new-key').locator('h2').textContent()).toBe(`New key: ${XSS_NAME}`);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => window.__xss)).toBeUndefined();
  });

  it('rotates a key after asking for the grace period, showing the new key once', async () => {
    const form = page.getByRole('form', { name: 'New key' });
    await form.getByLabel('Name').fill('rotating');
    await form.getByLabel('Scopes').fill('forms:read');
    await form.getByRole('button', { name: 'Create key' }).click();
    await expect.poll(() => page.getByTestId('new-key').locator('h2').textContent()).toBe('New key: rotating');
    const old = (await page.getByTestId('new-key-value').textContent()) ?? '';
    expect(await callGateway(old, '/forms/1')).toBe(200);
    const prompts: string[] = [];
    page.once('dialog', (dialog) => {
      prompts.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.accept('0');
    });
    await keyRow('rotating').getByRole('button', { name: 'Rotate' }).click();
    await expect.poll(() => page.getByTestId('new-key-value').textContent()).not.toBe(old);
    const fresh = (await page.getByTestId('new-key-value').textContent()) ?? '';
    expect(fresh).toMatch(/^kg_live_/);
    expect(prompts).toEqual([expect.stringMatching(/^prompt: Rotate key "rotating"/)]);
    const statuses = await keyRow('rotating').getByTestId('key-status').allTextContents();
    expect(statuses.sort()).toEqual(['active', 'expired']);
    expect(await callGateway(fresh, '/forms/1')).toBe(200);
    expect(await callGateway(old, '/forms/1')).toBe(401);
  });

  it('shows a problem from the API with its field errors', async () => {
    const form = page.getByRole('form', { name: 'New key' });
    await form.getByLabel('Name').fill('bad scope');
    await form.getByLabel('Scopes').fill('no-colon');
    await form.getByRole('button', { name: 'Create key' }).click();
    await expect.poll(() => page.locator('#notice').textContent()).toContain('The request is not valid');
    expect(await page.locator('#notice li').first().textContent()).toMatch(/^scopes\.0: /);
  });

  it('never puts the token in a URL or a cookie, breaks no CSP rule, and signs out', async () => {
    await page.screenshot({ path: `${SHOTS}/final.png`, fullPage: true });
    expect(page.url()).not.toContain(E2E_ADMIN_TOKEN);
    expect(requestedUrls.length).toBeGreaterThan(5);
    expect(requestedUrls.filter((url) => url.includes(E2E_ADMIN_TOKEN))).toEqual([]);
    expect(await page.evaluate(() => document.cookie)).toBe('');
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect(await page.evaluate(() => window.__cspViolations)).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  });
});
