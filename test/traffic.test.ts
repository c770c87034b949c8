// What the dashboard reads beyond counts: usage grouped by result (origin errors apart from
// keygate's refusals), the request log narrowed by status, outcome, route, time and request id,
// and traffic (latency percentiles over time, top client IPs, countries and user agents).

import { afterEach, describe, expect, it } from 'vitest';
import { memory } from '../src/edge/memory';
import { latencyBuckets, percentile, topValues } from '../src/core/traffic-summary';
import { adminCall, createKey } from './helpers/admin';
import { expectProblem, gateway, newTag, withKey, type Overrides } from './helpers/gateway';
import { privateUsage, usageOf } from './helpers/usage';

afterEach(() => memory.reset());

// Every path routed with forms:read, so that the fake origin's /status/<n> answers pass through.
const ANY_ROUTE = { ROUTES: [{ method: '*', path: '/*', scopes: ['forms:read'] }] };

interface LogEntry {
  requestId: string;
  status: number;
  outcome: string;
  route: string | null;
  path: string;
  at: string;
}

async function log(path: string, overrides: Overrides): Promise<LogEntry[]> {
  const res = await adminCall('GET', path, undefined, overrides);
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return (JSON.parse(text) as { items: LogEntry[] }).items;
}

describe('usage by result, request-log filters, traffic', () => {
  it('groupBy=result counts the origin’s 4xx and 5xx apart from allowed calls and from keygate’s refusals', async () => {
    const tag = newTag();
    const usage = { ...privateUsage(tag), ...ANY_ROUTE };
    const key = await createKey({ scopes: ['forms:read'] });
    for (const path of ['/status/200', '/status/200', '/status/404', '/status/503']) {
      await gateway(path, withKey(key.key, tag), usage);
    }
    expect((await gateway('/status/200', { ...withKey(key.key, tag), method: 'DELETE' }, { ...usage, ROUTES: undefined })).status).toBe(
      200,
    );
    await gateway('/status/200', withKey('kg_live_nope', tag), usage);
    const answer = await usageOf(`/keys/${key.id}/usage?granularity=minute&groupBy=result`, usage);
    expect(answer.groupBy).toBe('result');
    const groups: Record<string, number> = {};
    for (const bucket of answer.series) for (const [g, n] of Object.entries(bucket.groups)) groups[g] = (groups[g] ?? 0) + n;
    expect(groups).toEqual({ allowed: 3, 'origin-4xx': 1, 'origin-5xx': 1 });
    // By outcome they are all "allowed": the split is what groupBy=result adds.
    expect(answer.byOutcome).toEqual({ allowed: 5 });
    expect(answer.byStatus).toEqual({ '2xx': 3, '4xx': 1, '5xx': 1 });
    const gatewayWide = await usageOf('/usage?granularity=minute&groupBy=result', usage);
    const all: Record<string, number> = {};
    for (const bucket of gatewayWide.series) for (const [g, n] of Object.entries(bucket.groups)) all[g] = (all[g] ?? 0) + n;
    expect(all).toMatchObject({ 'origin-4xx': 1, 'origin-5xx': 1, 'invalid-api-key': 1 });
  });

  it('narrows a key’s request log by status, status class, outcome, route, time and request id, and pages within the filter', async () => {
    const tag = newTag();
    const usage = privateUsage(tag);
    const key = await createKey({ scopes: ['forms:read'] });
    for (let i = 0; i < 4; i++) await gateway(`/forms/${i}`, withKey(key.key, tag), usage);
    await gateway('/forms', { ...withKey(key.key, tag), method: 'POST' }, usage);
    await gateway('/unrouted', withKey(key.key, tag), usage);
    const base = `/keys/${key.id}/requests`;
    const everything = await log(base, usage);
    expect(everything).toHaveLength(6);

    expect((await log(`${base}?status=403`, usage)).map((e) => e.outcome)).toEqual(['insufficient-scope']);
    expect((await log(`${base}?status=4xx`, usage)).map((e) => e.status).sort()).toEqual([403, 404]);
    expect((await log(`${base}?outcome=route-not-found`, usage)).map((e) => e.path)).toEqual(['/unrouted']);
    expect(await log(`${base}?route=${encodeURIComponent('GET,HEAD /forms/:id')}`, usage)).toHaveLength(4);
    expect((await log(`${base}?route=-`, usage)).map((e) => e.path)).toEqual(['/unrouted']);
    const one = everything[3]!;
    expect(await log(`${base}?requestId=${one.requestId.toUpperCase()}`, usage)).toEqual([one]);
    const oldest = everything[everything.length - 1]!;
    expect(await log(`${base}?to=${encodeURIComponent(new Date(Date.parse(oldest.at) + 1).toISOString())}&status=200`, usage)).toEqual(
      everything.filter((e) => e.status === 200 && Date.parse(e.at) <= Date.parse(oldest.at)),
    );
    expect(await log(`${base}?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`, usage)).toEqual([]);

    // Pages of 2 within status=200: the four allowed calls, each once.
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const res = await adminCall('GET', `${base}?status=200&limit=2${cursor ? `&cursor=${cursor}` : ''}`, undefined, usage);
      const page = (await res.json()) as { items: LogEntry[]; nextCursor: string | null };
      seen.push(...page.items.map((e) => e.path));
      cursor = page.nextCursor;
    }
    expect(seen.sort()).toEqual(['/forms/0', '/forms/1', '/forms/2', '/forms/3']);
  });

  it('refuses a bad filter with a 400 naming it', async () => {
    const key = await createKey();
    for (const [query, field] of [
      ['status=42', 'status'],
      ['status=6xx', 'status'],
      ['outcome=Not%20One', 'outcome'],
      ['requestId=nope', 'requestId'],
      ['from=yesterday', 'from'],
    ] as const) {
      const problem = await expectProblem(await adminCall('GET', `/keys/${key.id}/requests?${query}`), 'validation-failed', 400);
      expect(problem.errors, query).toEqual([expect.objectContaining({ path: field })]);
    }
    await expectProblem(await adminCall('GET', `/keys/${key.id}/traffic?granularity=week`), 'validation-failed', 400);
    await expectProblem(await adminCall('GET', '/keys/key_00000000000000000000/traffic'), 'not-found', 404);
    await expectProblem(await adminCall('GET', '/projects/prj_00000000000000000000/traffic'), 'not-found', 404);
    await expectProblem(await adminCall('GET', '/customers/cus_00000000000000000000/traffic'), 'not-found', 404);
  });

  it('traffic: latency percentiles per bucket and the top client IPs, countries and user agents, for a key and for its project', async () => {
    const tag = newTag();
    const usage = privateUsage(tag);
    const key = await createKey({ scopes: ['forms:read'] });
    const other = await createKey({ scopes: ['forms:read'] }, key.projectId);
    // The country is the edge's request.cf.country (the last call has none: "unknown").
    const calls: [string, string, string, string | undefined][] = [
      [key.key, '198.51.100.7', 'forms-client/1.0', 'DE'],
      [key.key, '198.51.100.7', 'forms-client/1.0', 'DE'],
      [key.key, '198.51.100.7', 'curl/8.5', 'FR'],
      [key.key, '198.51.100.9', 'forms-client/1.0', undefined],
      [other.key, '198.51.100.20', 'batch/2', 'JP'],
    ];
    for (const [k, ip, ua, country] of calls) {
      const init: RequestInit = withKey(k, tag, { 'cf-connecting-ip': ip, 'user-agent': ua });
      await gateway('/forms', country === undefined ? init : { ...init, cf: { country } }, usage);
    }
    const res = await adminCall('GET', `/keys/${key.id}/traffic?granularity=minute`, undefined, usage);
    const answer = (await res.json()) as {
      keyId: string;
      sampled: number;
      latency: { start: string; count: number; p50: number | null; p99: number | null }[];
      clientIps: { value: string; count: number }[];
      countries: { value: string; count: number }[];
      userAgents: { value: string; count: number }[];
    };
    expect(res.status).toBe(200);
    expect(answer).toMatchObject({ keyId: key.id, sampled: 4 });
    expect(answer.clientIps).toEqual([
      { value: '198.51.100.7', count: 3 },
      { value: '198.51.100.9', count: 1 },
    ]);
    expect(answer.userAgents).toEqual([
      { value: 'forms-client/1.0', count: 3 },
      { value: 'curl/8.5', count: 1 },
    ]);
    expect(answer.countries).toEqual([
      { value: 'DE', count: 2 },
      { value: 'FR', count: 1 },
      { value: 'unknown', count: 1 },
    ]);
    // An hour by minute: every bucket of the span, the calls in the current one.
    expect(answer.latency.length).toBeGreaterThanOrEqual(60);
    const busy = answer.latency.filter((b) => b.count > 0);
    expect(busy.map((b) => b.count).reduce((a, b) => a + b, 0)).toBe(4);
    for (const b of busy) expect(b.p99).toBeGreaterThanOrEqual(b.p50!);
    expect(answer.latency.filter((b) => b.count === 0).every((b) => b.p50 === null)).toBe(true);

    const project = await adminCall('GET', `/projects/${key.projectId}/traffic?granularity=minute`, undefined, usage);
    const whole = (await project.json()) as Omit<typeof answer, 'keyId'> & { projectId: string; keyId: null };
    expect(whole).toMatchObject({ projectId: key.projectId, keyId: null, sampled: 5 });
    expect(whole.userAgents.map((u) => u.value)).toEqual(['forms-client/1.0', 'batch/2', 'curl/8.5']);
    expect(whole.countries).toEqual([
      { value: 'DE', count: 2 },
      { value: 'FR', count: 1 },
      { value: 'JP', count: 1 },
      { value: 'unknown', count: 1 },
    ]);
    expect(whole.clientIps.map((c) => c.value)).toEqual(['198.51.100.7', '198.51.100.20', '198.51.100.9']);
  });

  it('percentiles are nearest-rank over whole buckets; top values rank by count, then value', () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(percentile([42], 99)).toBe(42);
    const call = (at: number, latencyMs: number) => ({ at, latencyMs, clientIp: '', country: '', userAgent: '' });
    const buckets = latencyBuckets([call(60_500, 30), call(60_900, 10), call(60_100, 20), call(179_000, 7)], 60_000, 240_000, 60_000);
    expect(buckets).toEqual([
      { start: new Date(60_000).toISOString(), count: 3, p50: 20, p95: 30, p99: 30 },
      { start: new Date(120_000).toISOString(), count: 1, p50: 7, p95: 7, p99: 7 },
      { start: new Date(180_000).toISOString(), count: 0, p50: null, p95: null, p99: null },
    ]);
    expect(topValues(['b', 'a', 'b', 'c', 'a', 'b'])).toEqual([
      { value: 'b', count: 3 },
      { value: 'a', count: 2 },
      { value: 'c', count: 1 },
    ]);
  });
});
