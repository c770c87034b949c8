// Leases: a hot key's calls are spent from blocks the limiter reserved for this
// isolate, so one key is not capped by one object's throughput — and admission stays exact.

import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { storageCounters } from '../src/bench-counters';
import { heldLease } from '../src/edge/lease-holder';
import type { KeyLimiter } from '../src/objects/limiter/object';
import { LEASE_MS, type Verdict } from '../src/objects/limiter/types';
import { adminCall, adminJson, createKey } from './helpers/admin';
import { expectProblem, gatewayNoWait, newTag, originCalls, withKey } from './helpers/gateway';

const call = async (key: string, tag: string) => {
  const res = await gatewayNoWait('/forms/1', withKey(key, tag));
  await res.arrayBuffer();
  return res;
};

describe('leases', () => {
  it('a hot key makes few limiter calls, counts down exactly, and the admin API shows the exact remaining', async () => {
    const key = await createKey({
      rateLimits: [{ name: 'minute', limit: 5000, windowSeconds: 60 }],
      quota: { limit: 10_000, period: 'day' },
    });
    const tag = newTag();
    const before = storageCounters.limiterCalls;
    const started = Date.now();
    const remaining: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const res = await call(key.key, tag);
      expect(res.status).toBe(200);
      remaining.push(Number(res.headers.get('ratelimit-remaining')));
    }
    const limiterCalls = storageCounters.limiterCalls - before;
    // Without leases: 1,000. With them: a few per-call checks, then about one lease per second (a
    // lease lasts 1 s), so the bound grows with how long a loaded machine took for the calls.
    const seconds = Math.ceil((Date.now() - started) / 1000);
    expect(limiterCalls).toBeLessThanOrEqual(8 + 2 * seconds);
    // The tightest limit is the minute window: 4999, 4998, … one by one, leases or not.
    expect(remaining).toEqual(Array.from({ length: 1000 }, (_, i) => 4999 - i));
    expect(await originCalls(tag)).toHaveLength(1000);
    expect(await adminJson('GET', `/keys/${key.id}`)).toMatchObject({ quota: { remaining: 9000 } });
    console.log(`1,000 calls of one hot key: ${limiterCalls} limiter calls`);
  });

  it('a sliding window is exact with leases: 40 per 10 s admits 40 of 60 fast calls', async () => {
    const key = await createKey({ rateLimits: [{ name: 'ten-seconds', limit: 40, windowSeconds: 10 }] });
    const tag = newTag();
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await call(key.key, tag)).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(40);
    expect(statuses.slice(0, 40).every((s) => s === 200)).toBe(true);
    expect(await originCalls(tag)).toHaveLength(40);
  });

  it('the unspent part of a lease goes back when it ends, without any further call', async () => {
    const key = await createKey({ quota: { limit: 1000, period: 'month' } });
    const tag = newTag();
    for (let i = 0; i < 8; i++) expect((await call(key.key, tag)).status).toBe(200);
    const lease = heldLease(key.id);
    expect(lease).toBeDefined();
    expect(lease!.units).toBeGreaterThan(lease!.spent);
    const stub = env.LIMITER.get(env.LIMITER.idFromName(key.id));
    await new Promise((r) => setTimeout(r, LEASE_MS + 300));
    const state = await runInDurableObject(stub, (instance: KeyLimiter) => ({
      outstanding: instance.outstandingLeases(),
      remaining: instance.quotaRemaining({ limit: 1000, period: 'month' }, Date.now()),
    }));
    expect(state).toEqual({ outstanding: 0, remaining: 992 });
  });

  it('a lease granted under old limits is not spent after a PATCH', async () => {
    const key = await createKey({ quota: { limit: 1000, period: 'day' } });
    const tag = newTag();
    for (let i = 0; i < 20; i++) expect((await call(key.key, tag)).status).toBe(200);
    expect(heldLease(key.id)).toBeDefined();
    expect((await adminCall('PATCH', `/keys/${key.id}`, { quota: { limit: 10, period: 'day' } })).status).toBe(200);
    await expectProblem(await gatewayNoWait('/forms/1', withKey(key.key, tag)), 'quota-exceeded', 429);
    expect(await originCalls(tag)).toHaveLength(20);
  });

  it('leases to two isolates and per-call checks together never admit more than the limit', async () => {
    const stub = env.LIMITER.get(env.LIMITER.idFromName(`lease-test-${newTag()}`));
    await runInDurableObject(stub, (instance: KeyLimiter) => {
      const now = Date.now();
      const limits = { rateLimits: [], quota: { limit: 100, period: 'day' as const } };
      let n = 0;
      const check = (leaseFor?: string): Verdict =>
        instance.check({ requestId: `r${n++}`, now, ...limits, ...(leaseFor ? { leaseFor } : {}) });
      const a = check('isolate-a');
      const b = check('isolate-b');
      expect(a.allowed && b.allowed).toBe(true);
      const unitsA = a.allowed ? (a.lease?.units ?? 0) : 0;
      const unitsB = b.allowed ? (b.lease?.units ?? 0) : 0;
      expect(unitsA).toBeGreaterThanOrEqual(2);
      expect(unitsB).toBeGreaterThanOrEqual(2);
      // A second lease to a holder that has one is refused; the call itself is admitted.
      const again = check('isolate-a');
      expect(again.allowed && again.lease).toBeUndefined();
      let perCall = 1;
      while (check().allowed) perCall++;
      expect(2 + perCall + unitsA + unitsB).toBe(100);
      // Isolate A spent 3 of its lease and hands back the rest: exactly that many calls free up.
      instance.release([{ id: (a as { lease: { id: string } }).lease.id, unspent: unitsA - 3 }]);
      let freed = 0;
      while (check().allowed) freed++;
      expect(freed).toBe(unitsA - 3);
      // Handing back twice frees nothing more.
      instance.release([{ id: (a as { lease: { id: string } }).lease.id, unspent: unitsA }]);
      expect(check().allowed).toBe(false);
    });
  });
});
