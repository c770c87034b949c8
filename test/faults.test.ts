// Authentication fails closed: a KV fault, a stalled read or a corrupt record is 503
// auth-unavailable with Retry-After — never 401, never proxied. And the cache's promises.

import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createKey } from './helpers/admin';
import { expectNoOriginCall, expectProblem, gateway, newTag, originCalls, withKey } from './helpers/gateway';
import { brokenKv, countingKv } from './helpers/kv';
import { generateKey } from '../src/core/key-format';
import { otherIsolateSynced, otherLocationCold } from './helpers/isolate';
import { storageCounters } from '../src/bench-counters';

describe('faults and the lookup cache', () => {
  it('FI-1: KV throws ⇒ 503 auth-unavailable with Retry-After, no origin call', async () => {
    const tag = newTag();
    const res = await gateway('/forms/1', withKey(generateKey('kg', 'live'), tag), { KEYS: brokenKv('throw') });
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = await expectProblem(res, 'auth-unavailable', 503);
    expect(JSON.stringify(body)).not.toMatch(/KV|Internal Server Error/);
    await expectNoOriginCall(tag);
  });

  it('FI-2: a KV read that stalls past AUTH_TIMEOUT_MS ⇒ 503, promptly', async () => {
    const tag = newTag();
    const started = Date.now();
    const res = await gateway('/forms/1', withKey(generateKey('kg', 'live'), tag), { KEYS: brokenKv('hang'), AUTH_TIMEOUT_MS: '200' });
    await expectProblem(res, 'auth-unavailable', 503);
    expect(Date.now() - started).toBeLessThan(2000);
    await expectNoOriginCall(tag);
  });

  it('a change feed that never answers: the wait ends at FEED_TIMEOUT_MS; "refuse" (the default) is 503, "serve-stale" serves from the cache and KV', async () => {
    const key = await createKey();
    // The region's replica and the registry accept the call and never answer.
    const hanging = (real: { idFromName(name: string): DurableObjectId }) => ({
      idFromName: (name: string) => real.idFromName(name),
      get: () => new Proxy({}, { get: () => () => new Promise(() => {}) }),
    });
    const stalled = { FEED: hanging(env.FEED), REGISTRY: hanging(env.REGISTRY), FEED_TIMEOUT_MS: '300' };
    await otherLocationCold();
    const tag = newTag();
    const started = Date.now();
    const refused = await gateway('/forms/1', withKey(key.key, tag), stalled);
    const waited = Date.now() - started;
    await expectProblem(refused, 'auth-unavailable', 503);
    expect(refused.headers.get('retry-after')).toBe('2');
    expect(waited, 'the wait ended at the deadline').toBeGreaterThanOrEqual(300);
    expect(waited).toBeLessThan(3_000);
    await expectNoOriginCall(tag);
    await otherLocationCold();
    const served = await gateway('/forms/1', withKey(key.key, newTag()), { ...stalled, FEED_FAILURE_POLICY: 'serve-stale' });
    expect(served.status).toBe(200);
    await otherIsolateSynced(); // the next test's isolate has a working feed
  });

  it('a key in the URL is refused even when the registry never answers the exposure report (the wait is bounded)', async () => {
    const key = await createKey();
    const hanging = {
      REGISTRY: {
        idFromName: (name: string) => env.REGISTRY.idFromName(name),
        get: () => new Proxy({}, { get: () => () => new Promise(() => {}) }),
      },
    };
    const tag = newTag();
    const started = Date.now();
    const res = await gateway(`/forms/1?q=${key.key}`, { headers: { 'x-test-tag': tag } }, hanging);
    await expectProblem(res, 'api-key-in-url', 400);
    expect(Date.now() - started).toBeLessThan(10_000);
    await expectNoOriginCall(tag);
  }, 20_000);

  it('FI-4: a corrupt record (no scopes) ⇒ 503, never "all scopes"', async () => {
    const tag = newTag();
    await expectProblem(
      await gateway('/forms/1', withKey(generateKey('kg', 'live'), tag), { KEYS: brokenKv('corrupt') }),
      'auth-unavailable',
      503,
    );
    await expectNoOriginCall(tag);
  });

  it('FI-2: a fresh cached entry still serves while KV is down', async () => {
    const key = await createKey();
    const tag = newTag();
    expect((await gateway('/forms/1', withKey(key.key, tag))).status).toBe(200);
    expect((await gateway('/forms/1', withKey(key.key, tag), { KEYS: brokenKv('throw') })).status).toBe(200);
  });

  it('concurrent requests for an uncached key cost one KV read (single flight); repeats are cached', async () => {
    const key = await createKey();
    await otherIsolateSynced();
    const kv = countingKv(env.KEYS);
    const tag = newTag();
    const results = await Promise.all(Array.from({ length: 25 }, () => gateway('/forms/1', withKey(key.key, tag), { KEYS: kv })));
    expect(results.map((r) => r.status)).toEqual(Array(25).fill(200));
    for (let i = 0; i < 10; i++) await gateway('/forms/1', withKey(key.key, tag), { KEYS: kv });
    expect(kv.reads).toBe(1);
    expect(await originCalls(tag)).toHaveLength(35);
  });

  it('repeated unknown keys are answered from the negative cache: 0 KV reads after the first', async () => {
    const kv = countingKv(env.KEYS);
    const unknown = generateKey('kg', 'live');
    for (let i = 0; i < 20; i++)
      await expectProblem(
        await gateway('/forms/1', withKey(unknown, newTag()), { KEYS: kv, AUTH_FAILURE_LIMIT: '0' }),
        'invalid-api-key',
        401,
      );
    expect(kv.reads).toBe(1);
  });

  it('KEY_CACHE_TTL_MS=0 turns the cache off: every request reads KV', async () => {
    const key = await createKey();
    await otherIsolateSynced();
    const kv = countingKv(env.KEYS);
    for (let i = 0; i < 5; i++)
      expect((await gateway('/forms/1', withKey(key.key, newTag()), { KEYS: kv, KEY_CACHE_TTL_MS: '0' })).status).toBe(200);
    expect(kv.reads).toBe(5);
  });

  it('BENCH_MODE exposes storage counters to the admin token, and nothing without it', async () => {
    const auth = { headers: { authorization: 'Bearer test-admin-token-0123456789abcdef' } };
    await expectProblem(await gateway('/_keygate/v1/bench/counters', auth), 'not-found', 404);
    const before = (await (await gateway('/_keygate/v1/bench/counters', auth, { BENCH_MODE: 'true' })).json()) as { kvReads: number };
    await gateway('/forms/1', withKey(generateKey('kg', 'live'), newTag()), { BENCH_MODE: 'true' });
    const after = (await (await gateway('/_keygate/v1/bench/counters', auth, { BENCH_MODE: 'true' })).json()) as { kvReads: number };
    expect(after.kvReads).toBe(before.kvReads + 1);
    await expectProblem(await gateway('/_keygate/v1/bench/counters', {}, { BENCH_MODE: 'true' }), 'unauthorized', 401);
  });

  it('malformed keys never cost a feed call, even in an isolate whose change feed is stale', async () => {
    await otherLocationCold();
    const feedCalls = () => storageCounters.registryCalls + storageCounters.replicaCalls;
    const before = feedCalls();
    const good = generateKey('kg', 'live');
    await expectProblem(
      await gateway('/forms/1', withKey(good.slice(0, -1) + (good.endsWith('a') ? 'b' : 'a'), newTag())),
      'invalid-api-key',
      401,
    );
    await expectProblem(await gateway('/forms/1', withKey('kg_live_short', newTag())), 'invalid-api-key', 401);
    expect(feedCalls()).toBe(before);
    await expectProblem(await gateway('/forms/1', withKey(good, newTag())), 'invalid-api-key', 401);
    expect(feedCalls()).toBe(before + 1); // the region's replica, which a well-formed key waits for
  });

  it('an unexpected error is a 500 problem with a request id and no stack', async () => {
    const key = await createKey();
    const throwingEnv = { REGISTRY: undefined };
    const res = await gateway(
      '/_keygate/v1/projects',
      { headers: { authorization: 'Bearer test-admin-token-0123456789abcdef' } },
      throwingEnv,
    );
    await expectProblem(res, 'internal-error', 500);
    expect(key.id).toMatch(/^key_/);
  });
});
