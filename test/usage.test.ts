// Usage counting: every call counted by key, route rule, status class
// and outcome in minute/hour/day buckets; denials without a known key counted gateway-wide; a
// bounded request log per key; batched flushes with ids; counting fails open.

import { createExecutionContext, env, evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import worker from '../src';
import { storageCounters } from '../src/bench-counters';
import { flushUsage, usageBacklog } from '../src/edge/usage-recorder';
import { memory } from '../src/edge/memory';
import { TRIM_SLACK, type UsageShard } from '../src/objects/usage/object';
import { REQUESTS_PER_KEY_PER_SHARD, type RequestEntry } from '../src/objects/usage/types';
import { adminCall, createKey, createProject } from './helpers/admin';
import { BASE, expectProblem, gateway, newTag, originCalls, withKey, type Overrides } from './helpers/gateway';
import { privateUsage, usageOf } from './helpers/usage';

afterEach(() => memory.reset());

async function calls(key: string, tag: string, overrides: Overrides, list: [method: string, path: string][]): Promise<number[]> {
  const statuses: number[] = [];
  for (const [method, path] of list) statuses.push((await gateway(path, { ...withKey(key, tag), method }, overrides)).status);
  return statuses;
}

describe('usage counting', () => {
  it('counts a key’s calls exactly by outcome, status class and route, in minute, hour and day buckets', async () => {
    const tag = newTag();
    const usage = privateUsage(tag);
    const key = await createKey({ scopes: ['forms:read'] });
    const statuses = await calls(key.key, tag, usage, [
      ['GET', '/forms'],
      ['GET', '/forms'],
      ['GET', '/forms/7'],
      ['HEAD', '/forms/7'],
      ['POST', '/forms'],
      ['POST', '/forms'],
      ['GET', '/unrouted'],
    ]);
    expect(statuses).toEqual([200, 200, 200, 200, 403, 403, 404]);
    expect(await originCalls(tag)).toHaveLength(4);

    const minute = await usageOf(`/keys/${key.id}/usage?granularity=minute`, usage);
    expect(minute).toMatchObject({
      keyId: key.id,
      projectId: key.projectId,
      granularity: 'minute',
      groupBy: 'outcome',
      total: 7,
      byOutcome: { allowed: 4, 'insufficient-scope': 2, 'route-not-found': 1 },
      byStatus: { '2xx': 4, '4xx': 3 },
      denials: { 'insufficient-scope': 2, 'route-not-found': 1 },
      topKeys: [],
    });
    expect(minute.topRoutes).toEqual([
      { route: 'GET,HEAD /forms', count: 2 },
      { route: 'GET,HEAD /forms/:id', count: 2 },
      { route: 'POST /forms', count: 2 },
      { route: null, count: 1 },
    ]);
    // An hour back from now: 60 whole minutes and the current one.
    expect(minute.series.length).toBe(61);
    expect(minute.series.reduce((n, b) => n + b.total, 0)).toBe(7);
    const groups: Record<string, number> = {};
    for (const b of minute.series) for (const [g, n] of Object.entries(b.groups)) groups[g] = (groups[g] ?? 0) + n;
    expect(groups).toEqual({ allowed: 4, 'insufficient-scope': 2, 'route-not-found': 1 });

    for (const granularity of ['hour', 'day']) {
      const rolled = await usageOf(`/keys/${key.id}/usage?granularity=${granularity}`, usage);
      expect(rolled.total).toBe(7);
      expect(rolled.byOutcome).toEqual(minute.byOutcome);
    }
    const byRoute = await usageOf(`/keys/${key.id}/usage?granularity=hour&groupBy=route`, usage);
    const routeGroups: Record<string, number> = {};
    for (const b of byRoute.series) for (const [g, n] of Object.entries(b.groups)) routeGroups[g] = (routeGroups[g] ?? 0) + n;
    expect(routeGroups).toEqual({ 'GET,HEAD /forms': 2, 'GET,HEAD /forms/:id': 2, 'POST /forms': 2, '(none)': 1 });
    const byStatus = await usageOf(`/keys/${key.id}/usage?granularity=day&groupBy=status`, usage);
    expect(byStatus.series.reduce((n, b) => n + (b.groups['4xx'] ?? 0), 0)).toBe(3);
  });

  it('counts calls without a known key gateway-wide by reason', async () => {
    const tag = newTag();
    const usage = privateUsage(tag);
    const unknown = `kg_live_${'A'.repeat(32)}000000`;
    const valid = await createKey();
    expect((await gateway('/forms', { headers: { authorization: 'Bearer kg_live_nope' } }, usage)).status).toBe(401);
    expect((await gateway('/forms', {}, usage)).status).toBe(401);
    expect((await gateway('/forms', { headers: { 'x-api-key': 'x' } }, usage)).status).toBe(401);
    expect((await gateway('http://api.example.com/forms', {}, usage)).status).toBe(403);
    expect((await gateway(`/forms?api_key=${unknown}`, {}, usage)).status).toBe(400);
    expect((await gateway('/forms', withKey(valid.key, tag), usage)).status).toBe(200);
    const gatewayWide = await usageOf('/usage?granularity=minute', usage);
    expect(gatewayWide).toMatchObject({
      keyId: null,
      projectId: null,
      total: 6,
      byOutcome: { 'invalid-api-key': 2, 'missing-api-key': 1, 'https-required': 1, 'api-key-in-url': 1, allowed: 1 },
      denials: { 'invalid-api-key': 2, 'missing-api-key': 1, 'https-required': 1, 'api-key-in-url': 1 },
      topKeys: [{ keyId: valid.id, count: 1 }],
    });
    // The admin API itself is not counted.
    expect((await usageOf('/usage?granularity=minute', usage)).total).toBe(6);
  });

  it('a revoked key that is still being used is counted and logged under that key', async () => {
    const tag = newTag();
    const usage = privateUsage(tag);
    const key = await createKey();
    expect((await gateway('/forms', withKey(key.key, tag), usage)).status).toBe(200);
    expect((await adminCall('POST', `/keys/${key.id}/revoke`)).status).toBe(200);
    await expectProblem(await gateway('/forms', withKey(key.key, tag), usage), 'invalid-api-key', 401);
    const answer = await usageOf(`/keys/${key.id}/usage?granularity=minute`, usage);
    expect(answer.byOutcome).toEqual({ allowed: 1, 'invalid-api-key': 1 });
    const project = await usageOf(`/projects/${key.projectId}/usage?granularity=minute`, usage);
    expect(project.denials).toEqual({ 'invalid-api-key': 1 });
    const res = await adminCall('GET', `/keys/${key.id}/requests`, undefined, usage);
    const items = ((await res.json()) as { items: { outcome: string; status: number }[] }).items;
    expect(items.map((i) => [i.status, i.outcome])).toEqual([
      [401, 'invalid-api-key'],
      [200, 'allowed'],
    ]);
  });

  it('a project’s usage has its keys only, with the top keys', async () => {
    const tag = newTag();
    const usage = privateUsage(tag);
    const projectId = await createProject();
    const a = await createKey({}, projectId);
    const b = await createKey({}, projectId);
    const elsewhere = await createKey();
    await calls(a.key, tag, usage, [
      ['GET', '/forms'],
      ['GET', '/forms'],
      ['GET', '/forms'],
    ]);
    await calls(b.key, tag, usage, [['GET', '/forms/1']]);
    await calls(elsewhere.key, tag, usage, [['GET', '/forms']]);
    const project = await usageOf(`/projects/${projectId}/usage`, usage);
    expect(project).toMatchObject({ projectId, keyId: null, total: 4, byOutcome: { allowed: 4 } });
    expect(project.topKeys).toEqual([
      { keyId: a.id, count: 3 },
      { keyId: b.id, count: 1 },
    ]);
    expect((await usageOf('/usage', usage)).topKeys).toHaveLength(3);
  });

  it('a key’s request log pages newest first with what each call did, and never the query string', async () => {
    const tag = newTag();
    const usage = privateUsage(tag);
    const key = await createKey({ scopes: ['forms:read'] });
    for (let i = 0; i < 5; i++) {
      const init = withKey(key.key, tag, { 'user-agent': `agent/${i}` });
      await gateway(`/forms/${i}?secret=s${i}`, init, usage);
    }
    await gateway('/forms', { ...withKey(key.key, tag), method: 'POST' }, usage);
    const seen: Record<string, unknown>[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const res = await adminCall('GET', `/keys/${key.id}/requests?limit=4${cursor ? `&cursor=${cursor}` : ''}`, undefined, usage);
      const body = (await res.json()) as { items: Record<string, unknown>[]; nextCursor: string | null };
      seen.push(...body.items);
      cursor = body.nextCursor;
    }
    expect(seen).toHaveLength(6);
    expect(seen.find((e) => e.method === 'POST')).toMatchObject({
      path: '/forms',
      route: 'POST /forms',
      status: 403,
      outcome: 'insufficient-scope',
    });
    expect(seen.find((e) => e.path === '/forms/0')).toMatchObject({
      method: 'GET',
      path: '/forms/0',
      route: 'GET,HEAD /forms/:id',
      status: 200,
      outcome: 'allowed',
      userAgent: 'agent/0',
      country: null,
    });
    // Newest first (calls within one millisecond may come in either order).
    const times = seen.map((e) => Date.parse(e.at as string));
    expect(times).toEqual(times.slice().sort((a, b) => b - a));
    expect(seen.map((e) => e.path).sort()).toEqual(['/forms', '/forms/0', '/forms/1', '/forms/2', '/forms/3', '/forms/4']);
    expect(new Set(seen.map((e) => e.requestId)).size).toBe(6);
    for (const e of seen) {
      expect(e.clientIp).toMatch(/^203\.0\./);
      expect(typeof e.latencyMs).toBe('number');
      expect(JSON.stringify(e)).not.toContain('secret');
      expect(JSON.stringify(e)).not.toContain(key.key);
    }
  });

  it('analytics input is validated, with a clear error per field', async () => {
    const key = await createKey();
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    for (const [query, field] of [
      ['granularity=week', 'granularity'],
      ['groupBy=country', 'groupBy'],
      ['from=yesterday', 'from'],
      [`from=${iso(now)}&to=${iso(now - 3_600_000)}`, 'from'],
      [`granularity=minute&from=${iso(now - 3 * 86_400_000)}`, 'from'],
      [`granularity=minute&from=${iso(now - 30 * 3_600_000)}&to=${iso(now)}`, 'from'],
      [`granularity=hour&from=${iso(now - 60 * 86_400_000)}`, 'from'],
      [`to=${iso(now + 7_200_000)}`, 'to'],
      ['limit=5', 'limit'],
    ]) {
      const problem = await expectProblem(await adminCall('GET', `/keys/${key.id}/usage?${query}`), 'validation-failed', 400);
      expect(problem.errors, query).toEqual([expect.objectContaining({ path: field })]);
    }
    await expectProblem(await adminCall('GET', `/keys/${key.id}/requests?cursor=bm9wZQ`), 'validation-failed', 400);
    await expectProblem(await adminCall('GET', '/keys/key_00000000000000000000/usage'), 'not-found', 404);
    await expectProblem(await adminCall('GET', '/keys/key_00000000000000000000/requests'), 'not-found', 404);
    await expectProblem(await adminCall('GET', '/projects/prj_00000000000000000000/usage'), 'not-found', 404);
    const day = await usageOf(`/usage?granularity=day&from=${iso(now - 10 * 86_400_000)}`);
    expect(day.series).toHaveLength(11); // ten whole days and today
    expect(Date.parse(day.from) % 86_400_000).toBe(0);
  });
});

/** Calls keygate without waiting for its waitUntil work (a delayed flush may be pending). */
async function callNoWait(path: string, init: RequestInit, overrides: Overrides): Promise<Response> {
  const request = new Request(BASE + path, init);
  request.headers.set('cf-connecting-ip', '203.0.113.9');
  return worker.fetch(request, { ...env, ...overrides } as Env, createExecutionContext());
}

describe('usage batching', () => {
  it('an isolate flushes once per USAGE_FLUSH_EVENTS calls (or per interval): one Durable Object call per flush', async () => {
    const tag = newTag();
    const usage = { ...privateUsage(tag), USAGE_FLUSH_MS: '10000', USAGE_FLUSH_EVENTS: '10' };
    const key = await createKey();
    memory.usage.reset(Date.now());
    const before = storageCounters.usageCalls;
    for (let i = 0; i < 25; i++) expect((await callNoWait('/forms', withKey(key.key, tag), usage)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    expect(storageCounters.usageCalls - before).toBe(2);
    expect(usageBacklog().pendingCalls).toBe(5);
    await flushUsage({ ...env, ...usage } as Env);
    expect(storageCounters.usageCalls - before).toBe(3);
    expect((await usageOf(`/keys/${key.id}/usage`, usage)).total).toBe(25);
  });

  it('a batch carries at most the 200 newest request-log entries of a key (a shard keeps no more)', async () => {
    const tag = newTag();
    const usage = { ...privateUsage(tag), USAGE_FLUSH_MS: '10000', USAGE_FLUSH_EVENTS: '1000' };
    const key = await createKey();
    memory.usage.reset(Date.now());
    for (let i = 0; i < 250; i++) await callNoWait(`/forms/${i}`, withKey(key.key, tag), usage);
    await flushUsage({ ...env, ...usage } as Env);
    expect((await usageOf(`/keys/${key.id}/usage`, usage)).total).toBe(250);
    const paths: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const res = await adminCall('GET', `/keys/${key.id}/requests?limit=100${cursor ? `&cursor=${cursor}` : ''}`, undefined, usage);
      const page = (await res.json()) as { items: { path: string }[]; nextCursor: string | null };
      paths.push(...page.items.map((i) => i.path));
      cursor = page.nextCursor;
    }
    // The newest 200: calls 50…249 (calls in the same millisecond may come in either order).
    expect(paths.slice().sort()).toEqual(Array.from({ length: 200 }, (_, i) => `/forms/${i + 50}`).sort());
  });

  it('without enough calls, the batch goes out once the interval has passed (waitUntil timer)', async () => {
    const tag = newTag();
    const usage = { ...privateUsage(tag), USAGE_FLUSH_MS: '300' };
    const key = await createKey();
    memory.usage.reset(Date.now());
    const before = storageCounters.usageCalls;
    await Promise.all(Array.from({ length: 20 }, () => gateway('/forms', withKey(key.key, tag), usage)));
    expect(storageCounters.usageCalls - before).toBe(1);
    expect(usageBacklog()).toMatchObject({ pendingCalls: 0, sealed: 0 });
    const shard = env.USAGE.get(env.USAGE.idFromName(`${tag}/usage-${usageBacklog().shard}`));
    const total = await runInDurableObject(shard, async (instance: UsageShard) => {
      const now = Date.now();
      return instance.usage({
        keyId: key.id,
        granularity: 'day',
        groupBy: 'outcome',
        from: now - 86_400_000,
        to: now + 86_400_000,
        topKeys: 1,
      });
    });
    expect(total.byOutcome).toEqual({ allowed: 20 });
  });

  it('a wall clock that steps back six hours holds no call: the interval flush still goes out within one interval', async () => {
    // Before the fix, the flush timer waited lastFlushAt + USAGE_FLUSH_MS − now, six hours here, and the
    // call's waitUntil with it (this test then times out). Only Date is faked; timers run in real time.
    const tag = newTag();
    const usage = { ...privateUsage(tag), USAGE_FLUSH_MS: '300' };
    const key = await createKey();
    memory.usage.reset(Date.now());
    const before = storageCounters.usageCalls;
    try {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(new Date(Date.now() - 6 * 3_600_000));
      expect((await gateway('/forms', withKey(key.key, tag), usage)).status).toBe(200);
    } finally {
      vi.useRealTimers();
    }
    expect(storageCounters.usageCalls - before).toBe(1);
    expect(usageBacklog()).toMatchObject({ pendingCalls: 0, sealed: 0 });
  }, 10_000);

  it('batches on their way are never dropped; at most 20 waiting ones are kept, the oldest dropped first', async () => {
    const tag = newTag();
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let failing = true;
    const held = privateUsage(tag, (stub) => ({
      ingest: async (batches: unknown) => {
        await gate;
        if (failing) throw new Error('shard unavailable');
        return (stub as unknown as { ingest(b: unknown, now: number): Promise<unknown> }).ingest(batches, Date.now());
      },
    }));
    const usage = { ...held, USAGE_FLUSH_MS: '0' };
    const key = await createKey();
    memory.usage.reset(Date.now());
    // One batch per call, each sent at once and held by the shard: 25 on their way, none dropped.
    for (let i = 0; i < 25; i++) expect((await callNoWait(`/forms/${i}`, withKey(key.key, tag), usage)).status).toBe(200);
    expect(usageBacklog()).toMatchObject({ sealed: 25, inFlight: 25 });
    // They all fail: 25 now wait for the next flush.
    open();
    await new Promise((r) => setTimeout(r, 50));
    expect(usageBacklog()).toMatchObject({ sealed: 25, inFlight: 0 });
    // The next flush (a timer's: no new call) sends the 20 newest; the 5 oldest are dropped.
    failing = false;
    await flushUsage({ ...env, ...usage } as Env);
    expect(usageBacklog()).toMatchObject({ sealed: 0, inFlight: 0 });
    expect((await usageOf(`/keys/${key.id}/usage`, privateUsage(tag))).total).toBe(20);
  });

  it('a call refused for an invalid configuration is answered 500 and leaves nothing in the batch', async () => {
    memory.usage.reset(Date.now());
    const res = await callNoWait('/forms', {}, { ORIGIN_URL: 'ftp://origin.example' });
    await expectProblem(res, 'misconfigured', 500);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(usageBacklog()).toMatchObject({ pendingCalls: 0, sealed: 0 });
  });

  it('a flush that landed but whose answer was lost is re-sent with its id and counted once', async () => {
    const tag = newTag();
    let loseAnswers = 1;
    const flaky = privateUsage(tag, (stub) => ({
      ingest: async (batches: unknown) => {
        const result = await (stub as unknown as { ingest(b: unknown, now: number): Promise<unknown> }).ingest(batches, Date.now());
        if (loseAnswers-- > 0) throw new Error('Network connection lost');
        return result;
      },
    }));
    const key = await createKey();
    expect((await gateway('/forms', withKey(key.key, tag), flaky)).status).toBe(200);
    expect(usageBacklog().sealed).toBe(1);
    expect((await gateway('/forms', withKey(key.key, tag), flaky)).status).toBe(200);
    expect(usageBacklog().sealed).toBe(0);
    expect((await usageOf(`/keys/${key.id}/usage`, privateUsage(tag))).total).toBe(2);
  });

  it('counting fails open: with the usage shards down the call is served, and the batch is delivered later', async () => {
    const tag = newTag();
    const down = {
      USAGE: { idFromName: () => ({}), get: () => ({ ingest: () => Promise.reject(new Error('Durable Object is overloaded')) }) },
    };
    const key = await createKey();
    for (let i = 0; i < 3; i++) expect((await gateway('/forms', withKey(key.key, tag), down)).status).toBe(200);
    expect(await originCalls(tag)).toHaveLength(3);
    expect(usageBacklog().sealed).toBe(3);
    const usage = privateUsage(tag);
    expect((await gateway('/forms', withKey(key.key, tag), usage)).status).toBe(200);
    expect(usageBacklog()).toMatchObject({ pendingCalls: 0, sealed: 0 });
    expect((await usageOf(`/keys/${key.id}/usage`, usage)).total).toBe(4);
  });

  it('a usage shard restarted mid-window keeps its counters and request log', async () => {
    const tag = newTag();
    const usage = privateUsage(tag);
    const key = await createKey();
    await calls(key.key, tag, usage, [
      ['GET', '/forms'],
      ['GET', '/forms'],
    ]);
    const shard = env.USAGE.get(env.USAGE.idFromName(`${tag}/usage-${usageBacklog().shard}`));
    await evictDurableObject(shard);
    await calls(key.key, tag, usage, [['GET', '/forms']]);
    expect((await usageOf(`/keys/${key.id}/usage?granularity=minute`, usage)).total).toBe(3);
    const res = await adminCall('GET', `/keys/${key.id}/requests`, undefined, usage);
    expect(((await res.json()) as { items: unknown[] }).items).toHaveLength(3);
  });
});

describe('usage shard storage', () => {
  const BOUND = REQUESTS_PER_KEY_PER_SHARD;
  const entry = (keyId: string, i: number, at: number): RequestEntry => ({
    at,
    requestId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    keyId,
    method: 'GET',
    path: `/${i}`,
    route: '',
    status: 200,
    latencyMs: 1,
    clientIp: '',
    country: '',
    userAgent: '',
    outcome: 'allowed',
  });
  const newShard = () => env.USAGE.get(env.USAGE.idFromName(`${newTag()}/usage-0`));
  const stored = (state: DurableObjectState, keyId: string) =>
    state.storage.sql.exec(`SELECT COUNT(*) AS n FROM requests WHERE key_id = ?`, keyId).one().n;
  /** Every entry a reader sees, paged `limit` at a time, newest first. */
  const readAll = (instance: UsageShard, keyId: string, limit: number) => {
    const seen: RequestEntry[] = [];
    for (;;) {
      const last = seen.at(-1);
      const page = instance.requests({ keyId, limit, before: last ? { at: last.at, requestId: last.requestId } : null });
      seen.push(...page);
      if (page.length < limit) return seen;
    }
  };
  /** The newest `n` of `all`, newest first, in the shard's order (time, then request id). */
  const newest = (all: RequestEntry[], n: number) =>
    all
      .slice()
      .sort((a, b) => b.at - a.at || (a.requestId < b.requestId ? 1 : -1))
      .slice(0, n)
      .map((e) => e.path);

  it('applies each flush id once, counts exactly and prunes by age', async () => {
    const now = Date.now();
    const minute = now - (now % 60_000);
    const row = { minute, keyId: 'key_x', projectId: 'prj_x', route: '', statusClass: '2xx', outcome: 'allowed', count: 5 };
    await runInDurableObject(newShard(), async (instance: UsageShard, state) => {
      const batch = { id: 'iso:1', counts: [row], requests: Array.from({ length: 150 }, (_, i) => entry('key_x', i, now - i)) };
      expect(await instance.ingest([batch], now)).toEqual({ applied: 1, duplicates: 0 });
      expect(await instance.ingest([batch, { ...batch, id: 'iso:2', requests: [] }], now)).toEqual({ applied: 1, duplicates: 1 });
      const q = {
        keyId: 'key_x',
        granularity: 'minute' as const,
        groupBy: 'outcome' as const,
        from: minute,
        to: minute + 60_000,
        topKeys: 1,
      };
      expect(instance.usage(q).byOutcome).toEqual({ allowed: 10 });
      expect(stored(state, 'key_x')).toBe(150);
      instance.prune(now + 3 * 86_400_000);
      expect(instance.usage(q).byOutcome).toEqual({});
      expect(instance.usage({ ...q, granularity: 'hour', from: minute - 3_600_000 }).byOutcome).toEqual({ allowed: 10 });
      instance.prune(now + 8 * 86_400_000);
      expect(state.storage.sql.exec(`SELECT COUNT(*) AS n FROM requests`).one().n).toBe(0);
    });
  });

  it('a batch that fails is rolled back whole, and its retry applies once', async () => {
    const now = Date.now();
    const minute = now - (now % 60_000);
    const row = { minute, keyId: 'key_f', projectId: 'prj_f', route: '', statusClass: '2xx', outcome: 'allowed', count: 3 };
    const requests = Array.from({ length: 240 }, (_, i) => entry('key_f', i, now - 1000 + i));
    await runInDurableObject(newShard(), async (instance: UsageShard, state) => {
      const broken = { id: 'iso:1', counts: [row, { ...row, route: 'x', count: null as unknown as number }], requests };
      await expect(instance.ingest([broken], now)).rejects.toThrow();
      expect(state.storage.sql.exec(`SELECT COUNT(*) AS n FROM flushes`).one().n).toBe(0);
      expect(state.storage.sql.exec(`SELECT COUNT(*) AS n FROM usage_minute`).one().n).toBe(0);
      expect(stored(state, 'key_f')).toBe(0);
      const fixed = { ...broken, counts: [row] };
      expect(await instance.ingest([fixed, fixed], now)).toEqual({ applied: 1, duplicates: 1 });
      expect(await instance.ingest([fixed], now)).toEqual({ applied: 0, duplicates: 1 });
      expect(stored(state, 'key_f')).toBe(240);
      const usage = instance.usage({ keyId: 'key_f', granularity: 'day', groupBy: 'outcome', from: 0, to: now + 86_400_000, topKeys: 1 });
      expect(usage.byOutcome).toEqual({ allowed: 3 });
      expect(readAll(instance, 'key_f', 50).map((e) => e.path)).toEqual(newest(requests, BOUND));
    });
  });

  it(`a key's log never holds more than ${REQUESTS_PER_KEY_PER_SHARD} + ${TRIM_SLACK}, and reads return exactly its newest ${REQUESTS_PER_KEY_PER_SHARD}, also across a restart`, async () => {
    const shard = newShard();
    const now = Date.now();
    const sent: RequestEntry[] = [];
    let seq = 0;
    // 23 entries per batch, 4 calls in each millisecond: ties in time are ordered by request id.
    const batch = () => {
      const requests = Array.from({ length: 23 }, () => {
        const i = seq++;
        return entry('key_b', i, now + Math.floor(i / 4));
      });
      const other = entry('key_other', seq, now);
      sent.push(...requests);
      return { id: `iso:${seq}`, counts: [], requests: [...requests, other] };
    };
    for (let round = 0; round < 2; round++) {
      await runInDurableObject(shard, async (instance: UsageShard, state) => {
        for (let b = 0; b < 15; b++) {
          expect((await instance.ingest([batch()], now)).applied).toBe(1);
          expect(stored(state, 'key_b')).toBeLessThanOrEqual(BOUND + TRIM_SLACK);
          for (const limit of [7, 200]) {
            expect(readAll(instance, 'key_b', limit).map((e) => e.path)).toEqual(newest(sent, BOUND));
          }
        }
        expect(stored(state, 'key_b')).toBeGreaterThan(BOUND); // the slack is used, not trimmed per batch
        expect(stored(state, 'key_other')).toBe(15 * (round + 1));
      });
      // A new instance: log sizes are not remembered and are counted again.
      await evictDurableObject(shard);
    }
  });

  it('a batch too big for one statement is written whole', async () => {
    const now = Date.now();
    const minute = now - (now % 60_000);
    const long = 'x'.repeat(256);
    const keys = Array.from({ length: 10 }, (_, k) => `key_${k}`);
    const requests = keys.flatMap((keyId, k) =>
      Array.from({ length: BOUND }, (_, i) => ({ ...entry(keyId, k * BOUND + i, now + i), userAgent: long, path: `/${long}` })),
    );
    const counts = Array.from({ length: 6000 }, (_, i) => ({
      minute,
      keyId: 'key_0',
      projectId: 'prj_0',
      route: `${long}${i}`,
      statusClass: '2xx',
      outcome: 'allowed',
      count: 2,
    }));
    expect(JSON.stringify(requests).length + JSON.stringify(counts).length).toBeGreaterThan(3_000_000);
    await runInDurableObject(newShard(), async (instance: UsageShard, state) => {
      expect(await instance.ingest([{ id: 'iso:1', counts, requests }], now)).toEqual({ applied: 1, duplicates: 0 });
      expect(keys.map((k) => stored(state, k))).toEqual(keys.map(() => BOUND));
      const q = { keyId: 'key_0', groupBy: 'outcome' as const, from: minute - 86_400_000, to: minute + 86_400_000, topKeys: 1 };
      for (const granularity of ['minute', 'hour', 'day'] as const)
        expect(instance.usage({ ...q, granularity }).byOutcome).toEqual({ allowed: 12_000 });
      expect(readAll(instance, 'key_9', 100).map((e) => e.path)).toEqual(
        newest(
          requests.filter((e) => e.keyId === 'key_9'),
          BOUND,
        ),
      );
    });
  });

  it('prunes every key’s log by age, and keeps what is younger', async () => {
    const now = Date.now();
    const day = 86_400_000;
    await runInDurableObject(newShard(), async (instance: UsageShard, state) => {
      const requests = ['key_a', 'key_b', 'key_c'].flatMap((keyId, k) =>
        Array.from({ length: 10 }, (_, i) => entry(keyId, k * 10 + i, now - (i < 4 + k ? 8 * day : 0) + i)),
      );
      await instance.ingest([{ id: 'iso:1', counts: [], requests }], now);
      instance.prune(now);
      expect(['key_a', 'key_b', 'key_c'].map((k) => stored(state, k))).toEqual([6, 5, 4]);
      // After a prune a full log is still trimmed in time.
      const more = Array.from({ length: 250 }, (_, i) => entry('key_a', 100 + i, now + 1 + i));
      await instance.ingest([{ id: 'iso:2', counts: [], requests: more }], now);
      expect(stored(state, 'key_a')).toBe(BOUND);
      expect(readAll(instance, 'key_a', 100).map((e) => e.path)).toEqual(newest(more, BOUND));
    });
  });
});
