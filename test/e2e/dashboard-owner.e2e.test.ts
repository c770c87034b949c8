// The dashboard an API owner uses every day, in Debian's headless Chromium against the deploy
// bundle in workerd: plans and customers (with their keys, limits and usage), origin errors apart
// from keygate's refusals, latency and callers, the request log's columns and filters, live
// refresh, the audit log's chain, webhook deliveries and their retry, a project's edit and delete,
// the docs links — and every view at 1366 px and at 390 px. The webhook receiver is a Node server
// outside keygate (test/helpers/webhook-receiver.ts), failing on purpose to make a dead delivery.
// Screenshots go to test-results/dashboard/ (and to docs/ with DASHBOARD_DOCS=1, for the README).
// The functions passed to page.evaluate run in the page, hence the DOM types:
/// <reference lib="dom" />

import { copyFileSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTCOME_COLOURS } from '../../src/core/outcome-colours';
import { startWebhookReceiver } from '../helpers/webhook-receiver';
import { brokenWords, CHART_DRAWN, consoleErrors, DESKTOP, launch, pageWidth, PHONE, pixelsOf, SHOTS, signedIn } from './dashboard-driver';
import { E2E_ADMIN_TOKEN, startStack, type Stack } from './keygate-server';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const SECRET = 'whsec_ZGFzaGJvYXJkLWUyZS13ZWJob29rLXNlY3JldC0wMTI=';
const NEUTRAL = '#64748b';
const hex = (outcome: string) => OUTCOME_COLOURS[outcome]!.hex;

let stack: Stack;
let receiver: { server: Server; port: number };
let browser: Browser;
let desk: Page;
let phone: Page;
let projectId = '';
const ids = { plan: '', customer: '', acmeKey: '', opsKey: '' };
let acmeKey = '';
let opsKey = '';
let notFoundRequestId = '';

async function admin<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${stack.keygate.url}/_keygate/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${E2E_ADMIN_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return (res.status === 204 ? undefined : await res.json()) as T;
}

async function call(key: string, path: string, agent = 'forms-client/2.1'): Promise<Response> {
  const res = await fetch(`${stack.keygate.url}${path}`, { headers: { authorization: `Bearer ${key}`, 'user-agent': agent } });
  await res.arrayBuffer();
  return res;
}

/** Opens `hash` and waits until the view and its data have loaded. */
async function open(page: Page, hash: string, heading: string): Promise<void> {
  await page.goto(`${stack.keygate.url}/_keygate/ui${hash}`);
  await page.getByRole('heading', { name: heading, exact: true }).first().waitFor();
  await page.waitForLoadState('networkidle');
}

async function refreshUsage(page: Page, total: string): Promise<void> {
  await expect
    .poll(async () => {
      await page.getByTestId('usage').getByRole('button', { name: 'Refresh' }).click();
      await page.waitForLoadState('networkidle');
      return page.getByTestId('usage-total').textContent();
    }, CHART_DRAWN)
    .toBe(total);
}

/** The text of each row of a chart's figures table. */
function figureRows(page: Page, testId: string): Promise<string[]> {
  return page.locator(`[data-testid="${testId}"] .chart-data tbody tr`).allTextContents();
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  receiver = await startWebhookReceiver(SECRET);
  stack = await startStack({
    WEBHOOK_URL: `http://127.0.0.1:${receiver.port}/hooks`,
    WEBHOOK_SECRET: SECRET,
    // Two attempts 100 ms apart, then dead.
    WEBHOOK_RETRY_DELAYS_MS: '100',
    // The fake origin answers /status/<n> with that status: origin errors.
    ROUTES: [
      { method: '*', path: '/forms/*', scopes: ['forms:read'] },
      { method: 'GET', path: '/status/:code', scopes: ['forms:read'] },
    ],
  });
  browser = await launch();
  desk = await signedIn(browser, stack.keygate.url, DESKTOP);
  phone = await signedIn(browser, stack.keygate.url, PHONE);
  projectId = (await admin<{ id: string }>('POST', '/projects', { name: 'forms api', description: 'The clinic forms API' })).id;
  // The receiver refuses the project's first delivery twice: it goes dead.
  await fetch(`http://127.0.0.1:${receiver.port}/__fail/${projectId}/2`, { method: 'POST' });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  receiver?.server.close();
});

describe('e2e: the dashboard for an API owner', () => {
  it('creates a plan from the project’s Plans tab and shows its limits', async () => {
    await open(desk, `#/projects/${projectId}/plans`, 'forms api');
    const form = desk.getByRole('form', { name: 'New plan' });
    await form.getByLabel('Name').fill('pro');
    await form.getByLabel('Scopes').fill('forms:read');
    await form.getByLabel('Rate limit: calls').fill('2');
    await form.getByLabel('per seconds').fill('60');
    await form.getByLabel('Quota: calls').fill('1000');
    await form.getByRole('button', { name: 'Create plan' }).click();
    await desk.getByRole('heading', { name: 'pro', exact: true }).waitFor();
    ids.plan = desk.url().split('/').pop() ?? '';
    expect(ids.plan).toMatch(/^pln_/);
    expect(await desk.locator('dl.details').textContent()).toContain('2/60s, quota 1000 per month');
    await open(desk, `#/projects/${projectId}/plans`, 'forms api');
    expect(await desk.getByTestId('plans').textContent()).toContain('0 keys, 0 customers');
  });

  it('creates a customer on the plan, gives it a key, and shows what applies to it and who holds the plan', async () => {
    await open(desk, `#/projects/${projectId}/customers`, 'forms api');
    const form = desk.getByRole('form', { name: 'New customer' });
    await form.getByLabel('Name').fill('Acme Clinics');
    await form.getByLabel('External id').fill('acct_1042');
    await form.getByLabel('Plan').selectOption({ label: 'pro' });
    await form.getByRole('button', { name: 'Create customer' }).click();
    await desk.getByRole('heading', { name: 'Acme Clinics' }).waitFor();
    ids.customer = desk.url().split('/').pop() ?? '';
    expect(await desk.getByTestId('customer-effective').textContent()).toBe('2/60s, quota 1000/1000 per month');
    const keyForm = desk.getByRole('form', { name: 'New key' });
    await keyForm.getByLabel('Name').fill('acme-reader');
    await keyForm.getByLabel('Scopes').fill('forms:read');
    await keyForm.getByRole('button', { name: 'Create key' }).click();
    acmeKey = (await desk.getByTestId('new-key-value').textContent()) ?? '';
    expect(acmeKey).toMatch(/^kg_live_/);
    await desk.getByRole('button', { name: 'I have stored it' }).click();
    expect(await desk.getByTestId('keys').textContent()).toContain('acme-reader');
    ids.acmeKey = (await desk.getByTestId('keys').getByRole('link', { name: 'acme-reader' }).getAttribute('href'))!.split('/').pop()!;
    // The customer list and the plan's holders know it.
    await open(desk, `#/projects/${projectId}/customers`, 'forms api');
    const row = desk.getByTestId('customers').locator('tbody tr').first();
    expect(await row.textContent()).toContain('acct_1042');
    expect(await row.locator('td').last().textContent()).toBe('1');
    await open(desk, `#/plans/${ids.plan}`, 'pro');
    expect(await desk.getByTestId('plan-customers').textContent()).toContain('Acme Clinics');
  });

  it('editing the plan changes what applies to its customer', async () => {
    await open(desk, `#/plans/${ids.plan}`, 'pro');
    const form = desk.getByRole('form', { name: 'Edit plan' });
    await form.getByLabel('Quota: calls').fill('5000');
    await form.getByRole('button', { name: 'Save plan' }).click();
    await expect.poll(() => desk.locator('#notice').textContent()).toContain('saved');
    await open(desk, `#/customers/${ids.customer}`, 'Acme Clinics');
    // The rate limit was not touched by the edit and is kept.
    expect(await desk.getByTestId('customer-effective').textContent()).toBe('2/60s, quota 5000/5000 per month');
  });

  it('shows a customer’s usage with rate-limited in its own colour on two pages, and top keys by name linking to the key', async () => {
    expect((await call(acmeKey, '/forms/1')).status).toBe(200);
    expect((await call(acmeKey, '/forms/2')).status).toBe(200);
    expect((await call(acmeKey, '/forms/3')).status).toBe(429);
    await open(desk, `#/customers/${ids.customer}`, 'Acme Clinics');
    await refreshUsage(desk, '3 calls');
    await expect.poll(() => pixelsOf(desk, 'chart-over-time', hex('rate-limited')), CHART_DRAWN).toBeGreaterThan(20);
    await expect.poll(() => pixelsOf(desk, 'chart-denials', hex('rate-limited')), CHART_DRAWN).toBeGreaterThan(20);
    // Top keys: one neutral colour, never an outcome's (invalid-api-key's red, the old purple).
    await expect.poll(() => pixelsOf(desk, 'chart-top-keys', NEUTRAL), CHART_DRAWN).toBeGreaterThan(20);
    expect(await pixelsOf(desk, 'chart-top-keys', hex('invalid-api-key'))).toBe(0);
    expect(await pixelsOf(desk, 'chart-top-keys', '#6a1b9a')).toBe(0);
    await desk.screenshot({ path: `${SHOTS}/customer.png`, fullPage: true });
    // The gateway's page draws rate-limited in the same colour.
    await open(desk, '#/usage', 'Gateway usage');
    await expect.poll(() => pixelsOf(desk, 'chart-over-time', hex('rate-limited')), CHART_DRAWN).toBeGreaterThan(20);
    await desk.getByTestId('chart-top-keys').getByRole('link', { name: 'acme-reader' }).click();
    await desk.getByRole('heading', { name: 'acme-reader' }).waitFor();
    expect(desk.url()).toContain(`#/keys/${ids.acmeKey}`);
  });

  it('counts the origin’s 4xx and 5xx apart from keygate’s refusals, with the error rate, latency and callers', async () => {
    const ops = await admin<{ key: string; id: string }>('POST', `/projects/${projectId}/keys`, { name: 'ops', scopes: ['forms:read'] });
    [opsKey, ids.opsKey] = [ops.key, ops.id];
    expect((await call(opsKey, '/status/200')).status).toBe(200);
    expect((await call(opsKey, '/status/200')).status).toBe(200);
    const notFound = await call(opsKey, '/status/404');
    expect(notFound.status).toBe(404);
    notFoundRequestId = notFound.headers.get('x-request-id') ?? '';
    expect((await call(opsKey, '/status/503')).status).toBe(503);
    await open(desk, `#/keys/${ids.opsKey}`, 'ops');
    await refreshUsage(desk, '4 calls');
    expect(await desk.locator('.totals').textContent()).toContain('0 refused, origin errors 1 4xx and 1 5xx');
    await expect.poll(() => pixelsOf(desk, 'chart-over-time', hex('origin-5xx')), CHART_DRAWN).toBeGreaterThan(20);
    await expect.poll(() => pixelsOf(desk, 'chart-over-time', hex('origin-4xx')), CHART_DRAWN).toBeGreaterThan(20);
    // The error rate of the current bucket: no refusal, a quarter 4xx, a quarter 5xx.
    const rates = await figureRows(desk, 'chart-error-rate');
    expect(rates[rates.length - 1]).toMatch(/0%25%25%$/);
    const latency = await figureRows(desk, 'chart-latency');
    expect(latency[latency.length - 1]).toMatch(/\d+ ms\d+ ms\d+ ms$/);
    expect(await desk.getByTestId('callers-agents').locator('tbody tr').first().textContent()).toBe('forms-client/2.14');
    expect(await desk.getByTestId('callers-ips').locator('tbody tr').count()).toBeGreaterThan(0);
  });

  it('spans a 24 h view over the whole window, by hour, with the day on the first bucket and at midnight', async () => {
    await open(desk, `#/keys/${ids.opsKey}`, 'ops');
    expect(await desk.getByTestId('usage-granularity').inputValue()).toBe('hour');
    const times = desk.locator('[data-testid="chart-over-time"] .chart-data time');
    await expect.poll(() => times.count(), CHART_DRAWN).toBeGreaterThanOrEqual(24);
    const starts = await times.evaluateAll((list) => list.map((t) => t.getAttribute('datetime') ?? ''));
    const labels = await times.allTextContents();
    const now = Date.now();
    expect(Date.parse(starts[0]!)).toBeLessThanOrEqual(now - 24 * 3_600_000);
    expect(Date.parse(starts[starts.length - 1]!)).toBeGreaterThan(now - 3_600_000);
    expect(new Set(labels).size).toBe(labels.length);
    expect(labels[0]).toMatch(/^[A-Z][a-z]{2} \d{1,2} \d\d:00$/);
    starts.forEach((start, i) => {
      if (start.slice(11, 16) === '00:00') expect(labels[i]).toMatch(/^[A-Z][a-z]{2} \d{1,2} 00:00$/);
      else if (i > 0) expect(labels[i]).toBe(start.slice(11, 16));
    });
    // The bar of the current hour is at the right end; the axis shows the day before on the left.
    expect(labels[0]).not.toBe(labels[labels.length - 1]);
  });

  it('lists the request log with user agent and request id, narrows it by filters and finds a request by id', async () => {
    await open(desk, `#/keys/${ids.opsKey}`, 'ops');
    const log = desk.getByTestId('requests');
    const rows = log.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(4);
    expect(await log.locator('thead').textContent()).toContain('User agentRequest id');
    expect(await rows.first().textContent()).toContain('forms-client/2.1');
    const filters = desk.getByRole('form', { name: 'Filter requests' });
    await filters.getByLabel('Status').fill('5xx');
    await filters.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('/status/503');
    await filters.getByLabel('Status').fill('');
    await filters.getByLabel('Route').fill('GET /status/:code');
    await filters.getByLabel('Time').selectOption({ label: 'last 15 minutes' });
    await filters.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => rows.count()).toBe(4);
    await filters.getByLabel('Outcome').fill('rate-limited');
    await filters.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => desk.getByTestId('request-log').locator('.empty').isVisible()).toBe(true);
    await filters.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => rows.count()).toBe(4);
    await filters.getByLabel('Request id').fill(notFoundRequestId);
    await filters.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain(notFoundRequestId);
    expect(await rows.first().locator('td').nth(4).textContent()).toBe('404');
    await filters.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => rows.count()).toBe(4);
  });

  it('live refresh updates usage and the request log in place, keeping the scroll position and the focus', async () => {
    await open(desk, `#/keys/${ids.opsKey}`, 'ops');
    await expect.poll(() => desk.getByTestId('usage-total').textContent()).toBe('4 calls');
    await desk.evaluate(() => {
      (document.querySelector('[data-testid="chart-over-time"] canvas') as HTMLCanvasElement & { mark?: number }).mark = 1;
    });
    await desk.getByTestId('requests-live').check();
    await desk.getByTestId('usage-live').check();
    await desk.evaluate(() => window.scrollTo(0, 400));
    const scrolled = await desk.evaluate(() => window.scrollY);
    expect(scrolled).toBeGreaterThan(0);
    expect((await call(opsKey, '/status/200')).status).toBe(200);
    expect((await call(opsKey, '/status/201')).status).toBe(201);
    // No click: the 5 s tick brings both in.
    await expect.poll(() => desk.getByTestId('usage-total').textContent(), { timeout: 15_000 }).toBe('6 calls');
    await expect.poll(() => desk.getByTestId('requests').locator('tbody tr').count(), { timeout: 15_000 }).toBe(6);
    expect(await desk.getByTestId('requests').locator('tbody tr').first().textContent()).toContain('/status/201');
    const same = await desk.evaluate(
      () => (document.querySelector('[data-testid="chart-over-time"] canvas') as HTMLCanvasElement & { mark?: number }).mark,
    );
    expect(same).toBe(1);
    expect(await desk.evaluate(() => window.scrollY)).toBe(scrolled);
    expect(await desk.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('usage-live');
    await desk.getByTestId('usage-live').uncheck();
    await desk.getByTestId('requests-live').uncheck();
  });

  it('shows the audit log with its hash chain verified', async () => {
    await open(desk, '#/audit', 'Audit log');
    expect(await desk.getByTestId('audit-chain').textContent()).toMatch(/^Hash chain verified: all \d+ entries/);
    const text = await desk.getByTestId('audit').textContent();
    for (const action of ['project.create', 'plan.create', 'plan.update', 'customer.create', 'key.create']) expect(text).toContain(action);
    expect(text).not.toContain(acmeKey);
    await desk.getByTestId('audit').getByRole('link', { name: ids.customer }).first().click();
    await desk.getByRole('heading', { name: 'Acme Clinics' }).waitFor();
  });

  it('lists webhook deliveries and retries a dead one, whose status then changes', async () => {
    await open(desk, '#/webhooks', 'Webhook deliveries');
    await desk.getByTestId('delivery-filter').selectOption('dead');
    const statuses = desk.getByTestId('delivery-status');
    const refreshed = async () => {
      await desk.getByRole('button', { name: 'Refresh' }).click();
      await desk.waitForLoadState('networkidle');
      return statuses.allTextContents();
    };
    await expect.poll(refreshed, { timeout: 15_000 }).toEqual(['dead']);
    await desk.getByTestId('delivery-filter').selectOption('');
    const dead = desk
      .getByTestId('deliveries')
      .locator('tbody tr')
      .filter({ has: desk.getByRole('button', { name: 'Retry' }) });
    expect(await dead.count()).toBe(1);
    expect(await dead.textContent()).toContain('HTTP 503');
    await dead.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => desk.locator('#notice').textContent()).toContain('queued again');
    await desk.screenshot({ path: `${SHOTS}/webhooks.png`, fullPage: true });
    await expect.poll(refreshed, { timeout: 15_000 }).not.toContain('dead');
    expect(await desk.getByRole('button', { name: 'Retry' }).count()).toBe(0);
  });

  it('links the dashboard to the docs page and back', async () => {
    await open(desk, '#/projects', 'Projects');
    await desk.getByRole('link', { name: 'API docs' }).click();
    await desk.waitForURL(/\/_keygate\/docs$/);
    await desk.getByRole('link', { name: 'keygate dashboard' }).click();
    await desk.getByRole('heading', { name: 'Projects' }).waitFor();
  });

  it('shows every view at 1366 px and at 390 px: as wide as the screen, no word broken, wide tables scrolling in their box', async () => {
    const views: [name: string, hash: string, heading: string][] = [
      ['projects', '#/projects', 'Projects'],
      ['project', `#/projects/${projectId}`, 'forms api'],
      ['customers', `#/projects/${projectId}/customers`, 'forms api'],
      ['plans', `#/projects/${projectId}/plans`, 'forms api'],
      ['settings', `#/projects/${projectId}/settings`, 'forms api'],
      ['customer', `#/customers/${ids.customer}`, 'Acme Clinics'],
      ['plan', `#/plans/${ids.plan}`, 'pro'],
      ['key', `#/keys/${ids.opsKey}`, 'ops'],
      ['usage', '#/usage', 'Gateway usage'],
      ['audit', '#/audit', 'Audit log'],
      ['webhooks', '#/webhooks', 'Webhook deliveries'],
    ];
    for (const [page, size] of [
      [desk, DESKTOP],
      [phone, PHONE],
    ] as const) {
      for (const [name, hash, heading] of views) {
        await open(page, hash, heading);
        expect(await pageWidth(page), `${name} at ${size.width}`).toBe(size.width);
        expect(await brokenWords(page), `${name} at ${size.width}`).toEqual([]);
        await page.screenshot({ path: `${SHOTS}/${size.width}-${name}.png`, fullPage: true });
      }
    }
    // Nothing the CSP refused, no uncaught error, on any view at either width (a 404 or 409 the
    // tests asked for is an answer, not a console error of the page's own making).
    for (const page of [desk, phone]) expect(consoleErrors(page).filter((e) => !e.includes('Failed to load resource'))).toEqual([]);
    // On the phone the keys table keeps its columns and scrolls sideways in its own box.
    await open(phone, `#/projects/${projectId}`, 'forms api');
    const box = phone.getByTestId('keys').locator('xpath=..');
    const [scrollWidth, clientWidth] = await box.evaluate((b) => [b.scrollWidth, b.clientWidth]);
    expect(clientWidth).toBeLessThanOrEqual(PHONE.width);
    expect(scrollWidth).toBeGreaterThan(clientWidth);
    expect(
      await phone
        .getByTestId('keys')
        .locator('th')
        .first()
        .evaluate((th) => th.getClientRects().length),
    ).toBe(1);
    await phone.screenshot({ path: `${SHOTS}/390-project-screen.png` });
    if (process.env.DASHBOARD_DOCS) {
      for (const [shot, doc] of [
        ['1366-project', 'dashboard'],
        ['1366-customer', 'dashboard-customer'],
        ['1366-key', 'dashboard-key'],
        ['390-project-screen', 'dashboard-phone'],
      ]) {
        copyFileSync(`${SHOTS}/${shot}.png`, `docs/${doc}.png`);
      }
    }
  }, 120_000);

  it('deletes a customer after stating that its keys are revoked', async () => {
    await open(desk, `#/customers/${ids.customer}`, 'Acme Clinics');
    const dialogs: string[] = [];
    desk.once('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });
    await desk.getByRole('button', { name: 'Delete customer' }).click();
    await desk.getByRole('heading', { name: 'forms api' }).waitFor();
    expect(dialogs).toEqual(['Delete customer "Acme Clinics"? Its 1 key is revoked at once: every call with them is refused, for good.']);
    expect(await admin<{ status: string }>('GET', `/keys/${ids.acmeKey}`)).toMatchObject({ status: 'revoked' });
    expect((await call(acmeKey, '/forms/1')).status).toBe(401);
    expect(await desk.locator('.empty').first().textContent()).toBe('No customers yet.');
  });

  it('edits a project, and deletes it after stating that its keys are revoked', async () => {
    await open(desk, `#/projects/${projectId}/settings`, 'forms api');
    const form = desk.getByRole('form', { name: 'Edit project' });
    await form.getByLabel('Name').fill('forms api v2');
    await form.getByRole('button', { name: 'Save project' }).click();
    await desk.getByRole('heading', { name: 'forms api v2' }).waitFor();
    expect(await admin<{ name: string }>('GET', `/projects/${projectId}`)).toMatchObject({ name: 'forms api v2' });
    const dialogs: string[] = [];
    desk.once('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });
    await desk.getByRole('button', { name: 'Delete project' }).click();
    await desk.getByRole('heading', { name: 'Projects' }).waitFor();
    expect(dialogs[0]).toMatch(/^Delete project "forms api v2"\? Its 1 key is revoked at once/);
    expect(await desk.locator('main').textContent()).not.toContain('forms api v2');
    expect((await call(opsKey, '/status/200')).status).toBe(401);
  });
});
