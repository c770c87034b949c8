// Several upstreams (issue 17 part 3): a route rule may name an upstream of UPSTREAMS — a URL or a
// service binding — with its own timeout and signing; ORIGIN_URL stays the default. The URL
// upstreams here are the recording fake origin in Node under a base path of their own (the only
// fake); the service upstream is a real second Worker bound as TOOLS (test/workers/upstream-worker.js).

import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { createKey, type CreatedKey } from './helpers/admin';
import { expectNoOriginCall, expectProblem, gateway, newTag, originCalls, withKey } from './helpers/gateway';

const ROUTES = [
  { method: 'GET', path: '/forms/:id', scopes: ['forms:read'] },
  { method: 'GET', path: '/reports/*', scopes: ['reports:read'], upstream: 'reports' },
  { method: 'GET', path: '/slow', scopes: [], upstream: 'hasty' },
  { method: '*', path: '/tools/*', scopes: ['tools:use'], upstream: 'tools' },
];

function upstreams(extra: Record<string, unknown> = {}) {
  return {
    reports: { url: `${env.ORIGIN_URL}/reports-api` },
    hasty: { url: env.ORIGIN_URL, timeoutMs: 300 },
    tools: { service: 'TOOLS' },
    ...extra,
  };
}

const config = (extra: Record<string, unknown> = {}, routes: unknown[] = ROUTES) => ({
  ROUTES: JSON.stringify(routes),
  UPSTREAMS: JSON.stringify(upstreams(extra)),
});

let key: CreatedKey;
beforeAll(async () => {
  key = await createKey({ scopes: ['forms:read', 'reports:read', 'tools:use'] });
});

interface Echo {
  path: string;
  headers: Record<string, string>;
}

describe('several upstreams', () => {
  it('two upstreams chosen by route: ORIGIN_URL for a rule that names none, the named one (with its base path) for the other', async () => {
    const tag = newTag();
    const forms = await gateway('/forms/1?x=1', withKey(key.key, tag), config());
    expect(forms.status).toBe(200);
    expect(((await forms.json()) as Echo).path).toBe('/forms/1');
    const reports = await gateway('/reports/2026/q3?x=2', withKey(key.key, tag), config());
    expect(reports.status).toBe(200);
    const seen = (await reports.json()) as Echo;
    expect(seen.path).toBe('/reports-api/reports/2026/q3');
    expect(seen.headers['keygate-key-id']).toBe(key.id);
    expect(seen.headers.authorization).toBeUndefined();
    expect((await originCalls(tag)).map((call) => call.url)).toEqual(['/forms/1?x=1', '/reports-api/reports/2026/q3?x=2']);
  });

  it("a route's upstream refusals are the data plane's: no key or a missing scope never reaches it", async () => {
    const tag = newTag();
    const formsOnly = await createKey({ scopes: ['forms:read'] });
    await expectProblem(await gateway('/reports/1', { headers: { 'x-test-tag': tag } }, config()), 'missing-api-key', 401);
    await expectProblem(await gateway('/reports/1', withKey(formsOnly.key, tag), config()), 'insufficient-scope', 403);
    await expectNoOriginCall(tag);
  });

  it("per-upstream timeout: the upstream's timeoutMs, not ORIGIN_TIMEOUT_MS (30 s), gives 504", async () => {
    const started = Date.now();
    await expectProblem(await gateway('/slow?ms=3000', withKey(key.key, newTag()), config()), 'gateway-timeout', 504);
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('a service binding upstream: the bound Worker gets the call at the client’s URL, with the identity headers and no credential', async () => {
    const res = await gateway('/tools/run?fast=1', withKey(key.key, newTag(), { 'x-kept': 'yes' }), config());
    expect(res.status).toBe(200);
    const seen = (await res.json()) as { upstream: string; url: string; headers: Record<string, string> };
    expect(seen.upstream).toBe('tools-worker');
    expect(seen.url).toBe('https://api.example.com/tools/run?fast=1');
    expect(seen.headers).toMatchObject({ 'keygate-key-id': key.id, 'keygate-project-id': key.projectId, 'x-kept': 'yes' });
    expect(seen.headers.authorization).toBeUndefined();
    expect(JSON.stringify(seen)).not.toContain(key.key);
  });

  it('a WebSocket through a service binding upstream', async () => {
    const res = await gateway('/tools/live', withKey(key.key, newTag(), { upgrade: 'websocket' }), config());
    expect(res.status).toBe(101);
    const ws = res.webSocket as WebSocket;
    const answer = new Promise<unknown>((resolve) => ws.addEventListener('message', (event) => resolve(event.data)));
    ws.accept();
    ws.send('ping');
    expect(await answer).toBe('tools: ping');
    ws.close(1000, 'done');
  });

  it('per-upstream signing: signed by default when ORIGIN_SIGNING_KEY is set, unsigned with sign: false', async () => {
    const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const signing = { ORIGIN_SIGNING_KEY: JSON.stringify(await crypto.subtle.exportKey('jwk', pair.privateKey)) };
    const tag = newTag();
    const unsigned = { reports: { url: `${env.ORIGIN_URL}/reports-api`, sign: false } };
    expect((await gateway('/forms/1', withKey(key.key, tag), { ...config(unsigned), ...signing })).status).toBe(200);
    expect((await gateway('/reports/1', withKey(key.key, tag), { ...config(unsigned), ...signing })).status).toBe(200);
    expect((await gateway('/slow?ms=0', withKey(key.key, tag), { ...config(unsigned), ...signing })).status).toBe(200);
    const [forms, reports, hasty] = await originCalls(tag);
    expect(forms?.headers['signature-input']).toMatch(/^keygate=/);
    expect(reports?.headers['signature-input']).toBeUndefined();
    expect(reports?.headers.signature).toBeUndefined();
    expect(hasty?.headers['signature-input']).toMatch(/^keygate=/);
  });
});

describe('a misconfigured upstream fails at configuration, on every call, naming what to fix', () => {
  it.each([
    [{ broken: { url: 'http://api.example.net' } }, /^UPSTREAMS\.broken\.url must be https/],
    [{ broken: { url: 'https://127.0.0.1:9' } }, /^UPSTREAMS\.broken\.url is a loopback address/],
    [{ broken: { url: 'nope' } }, /^UPSTREAMS\.broken\.url is not a URL$/],
    [{ broken: { service: 'MISSING' } }, /^UPSTREAMS\.broken\.service names the binding "MISSING", which this Worker does not have/],
    [{ broken: { url: 'https://a.example', service: 'TOOLS' } }, /^UPSTREAMS\.broken must have exactly one of "url" and "service"$/],
    [{ broken: { url: 'https://a.example', timeoutMs: 0 } }, /^UPSTREAMS\.broken\.timeoutMs must be an integer from 1 to 600000$/],
    [{ broken: { url: 'https://a.example', sign: true } }, /^UPSTREAMS\.broken\.sign is true but ORIGIN_SIGNING_KEY is not set$/],
    [{ broken: { url: 'https://a.example', timeout: 5 } }, /^UPSTREAMS\.broken: unknown field "timeout"/],
  ])('%o', async (extra, detail) => {
    const tag = newTag();
    // The call is for ORIGIN_URL's route: a bad upstream anywhere fails the whole configuration. The
    // loopback upstream is refused outside local development (ORIGIN_URL then an https one and the
    // broken upstream the only one, so that it is what fails).
    const outsideLocalDev = { LOCAL_DEV: '', ORIGIN_URL: 'https://origin.example', UPSTREAMS: JSON.stringify(extra), ROUTES: undefined };
    const overrides = { ...config(extra), ...(JSON.stringify(extra).includes('127.0.0.1') ? outsideLocalDev : {}) };
    const body = await expectProblem(await gateway('/forms/1', withKey(key.key, tag), overrides), 'misconfigured', 500);
    expect(body.detail).toMatch(detail);
    await expectNoOriginCall(tag);
  });

  it('a route rule naming an upstream UPSTREAMS does not define', async () => {
    const tag = newTag();
    const routes = [...ROUTES, { method: 'GET', path: '/elsewhere', scopes: [], upstream: 'nowhere' }];
    const body = await expectProblem(await gateway('/forms/1', withKey(key.key, tag), config({}, routes)), 'misconfigured', 500);
    expect(body.detail).toBe('ROUTES[4].upstream names "nowhere", which UPSTREAMS does not define');
    await expectNoOriginCall(tag);
  });
});
