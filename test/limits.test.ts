// Checklist E33–E39 and D31: exact sliding windows and quotas in KeyLimiter Durable Objects.

import { env, evictDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { adminCall, adminJson, createKey } from './helpers/admin';
import { expectNoOriginCall, expectProblem, gateway, gatewayNoWait, newTag, originCalls, withKey } from './helpers/gateway';
import { storageCounters } from '../src/bench-counters';
import { memory } from '../src/edge/memory';

const get = (key: string, tag: string) => gateway('/forms/1', withKey(key, tag));

describe('E. rate limits and quotas', () => {
  it('E33: 6/min ⇒ six 200s with RateLimit-Remaining 5…0, then 429 with Retry-After and no origin call', async () => {
    const key = await createKey({ rateLimits: [{ name: 'minute', limit: 6, windowSeconds: 60 }] });
    const tag = newTag();
    const remaining: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await get(key.key, tag);
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBe('6');
      remaining.push(res.headers.get('ratelimit-remaining') as string);
      const reset = Number(res.headers.get('ratelimit-reset'));
      expect(reset).toBeGreaterThanOrEqual(0);
      expect(reset).toBeLessThanOrEqual(60);
    }
    expect(remaining).toEqual(['5', '4', '3', '2', '1', '0']);
    const seventh = await get(key.key, tag);
    expect(Number(seventh.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(seventh.headers.get('ratelimit-remaining')).toBe('0');
    await expectProblem(seventh, 'rate-limited', 429);
    expect(await originCalls(tag)).toHaveLength(6);
  });

  it('E33: RateLimit-Policy and RateLimit (draft-ietf-httpapi-ratelimit-headers-11) list every window and the quota, on 200s and 429s', async () => {
    const key = await createKey({
      rateLimits: [
        { name: 'burst', limit: 3, windowSeconds: 10 },
        { name: 'minute', limit: 5, windowSeconds: 60 },
      ],
      quota: { limit: 100, period: 'day' },
    });
    const tag = newTag();
    const policy = '"burst";q=3;w=10, "minute";q=5;w=60, "quota:day";q=100;w=86400';
    const service = /^"burst";r=(\d+);t=(\d+), "minute";r=(\d+);t=(\d+), "quota:day";r=(\d+);t=(\d+)$/;
    const limits = (res: Response) => {
      const m = service.exec(res.headers.get('ratelimit') ?? '');
      expect(m, res.headers.get('ratelimit') ?? 'no RateLimit').not.toBeNull();
      const [burst, burstT, minute, minuteT, day, dayT] = m!.slice(1).map(Number) as number[];
      expect(burstT).toBeGreaterThanOrEqual(1);
      expect(burstT).toBeLessThanOrEqual(10);
      expect(minuteT).toBeLessThanOrEqual(60);
      expect(dayT).toBeLessThanOrEqual(86400);
      return { burst, minute, day, burstT };
    };
    for (let i = 1; i <= 3; i++) {
      const res = await get(key.key, tag);
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-policy')).toBe(policy);
      expect(limits(res)).toMatchObject({ burst: 3 - i, minute: 5 - i, day: 100 - i });
      // The earlier drafts' triple, of the tightest limit, for the clients that read it.
      expect([res.headers.get('ratelimit-limit'), res.headers.get('ratelimit-remaining')]).toEqual(['3', String(3 - i)]);
    }
    for (const fromMemory of [false, true]) {
      const refused = await get(key.key, tag);
      await expectProblem(refused, 'rate-limited', 429);
      expect(refused.headers.get('ratelimit-policy'), `from memory: ${fromMemory}`).toBe(policy);
      const after = limits(refused);
      expect(after).toMatchObject({ burst: 0, minute: 2, day: 97 });
      // The refusing window's effective window is the Retry-After, as the draft asks (§6).
      expect(after.burstT).toBe(Number(refused.headers.get('retry-after')));
      expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    }
    expect(await originCalls(tag)).toHaveLength(3);
  });

  it('a monthly quota is a policy whose window is the current month, and its 429 says r=0', async () => {
    const key = await createKey({ quota: { limit: 2, period: 'month' } });
    const tag = newTag();
    const now = new Date();
    const month = (Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1) - Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)) / 1000;
    for (let i = 1; i <= 2; i++) {
      const res = await get(key.key, tag);
      expect(res.headers.get('ratelimit-policy')).toBe(`"quota:month";q=2;w=${month}`);
      expect(res.headers.get('ratelimit')).toMatch(new RegExp(`^"quota:month";r=${2 - i};t=\\d+$`));
    }
    const refused = await get(key.key, tag);
    await expectProblem(refused, 'quota-exceeded', 429);
    expect(refused.headers.get('ratelimit')).toBe(`"quota:month";r=0;t=${refused.headers.get('retry-after')}`);
    expect(await originCalls(tag)).toHaveLength(2);
  });

  it('E34: with 1/s the second call is 429 and a call after the window is 200 again', async () => {
    const key = await createKey({ rateLimits: [{ name: 'second', limit: 1, windowSeconds: 1 }] });
    const tag = newTag();
    expect((await get(key.key, tag)).status).toBe(200);
    await expectProblem(await get(key.key, tag), 'rate-limited', 429);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await get(key.key, tag)).status).toBe(200);
  });

  it('E35: 12/min and 200/month: the 13th call is refused by the minute window and the month keeps exactly 188', async () => {
    const key = await createKey({ rateLimits: [{ name: 'minute', limit: 12, windowSeconds: 60 }], quota: { limit: 200, period: 'month' } });
    const tag = newTag();
    for (let i = 0; i < 12; i++) expect((await get(key.key, tag)).status).toBe(200);
    const refused = await expectProblem(await get(key.key, tag), 'rate-limited', 429);
    expect(refused.detail).toContain('minute');
    memory.refusals.reset(); // ask the limiter again rather than this isolate's memory
    await expectProblem(await get(key.key, tag), 'rate-limited', 429);
    expect(await adminJson('GET', `/keys/${key.id}`)).toMatchObject({ quota: { limit: 200, period: 'month', remaining: 188 } });
  });

  it('E36: refused calls are not counted: after many 429s the next window allows the full limit', async () => {
    const key = await createKey({ rateLimits: [{ name: 'w', limit: 3, windowSeconds: 2 }] });
    const tag = newTag();
    const started = Date.now();
    for (let i = 0; i < 3; i++) expect((await get(key.key, tag)).status).toBe(200);
    const lastAdmitted = Date.now();
    // Refused calls while the window surely holds the three (a loaded machine makes fewer of them).
    let refused = 0;
    for (; refused < 30 && Date.now() - started < 1500; refused++) {
      memory.refusals.reset();
      expect((await get(key.key, tag)).status).toBe(429);
    }
    expect(refused).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, Math.max(0, lastAdmitted + 2100 - Date.now())));
    memory.refusals.reset(); // the last refusal's memory rounds up to whole seconds; the limiter is asked
    for (let i = 0; i < 3; i++) expect((await get(key.key, tag)).status).toBe(200);
    expect(await originCalls(tag)).toHaveLength(6);
  });

  it('E37: a quota counts down exactly, call 101 is 429 quota-exceeded, and the admin API says 0 remaining', async () => {
    const key = await createKey({ quota: { limit: 100, period: 'day' } });
    expect(key.quota).toMatchObject({ limit: 100, period: 'day', remaining: 100 });
    const tag = newTag();
    const before = storageCounters.limiterCalls;
    for (let i = 99; i >= 0; i--) {
      // A client that sends its next call as soon as it has an answer (leases get spent).
      const res = await gatewayNoWait('/forms/1', withKey(key.key, tag));
      expect(res.headers.get('ratelimit-remaining')).toBe(String(i));
      await res.arrayBuffer();
    }
    // Most calls were spent from leases; the last ones, near the limit, were checked one by one.
    expect(storageCounters.limiterCalls - before).toBeLessThan(30);
    const res = await get(key.key, tag);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await expectProblem(res, 'quota-exceeded', 429);
    expect(await adminJson('GET', `/keys/${key.id}`)).toMatchObject({ quota: { remaining: 0 } });
    expect(await originCalls(tag)).toHaveLength(100);
  });

  it('E38: 300 parallel calls against a quota of 100 admit exactly 100, and the origin sees exactly 100', async () => {
    const key = await createKey({ quota: { limit: 100, period: 'month' } });
    const tag = newTag();
    const statuses = await Promise.all(Array.from({ length: 300 }, () => get(key.key, tag).then((r) => r.status)));
    // Counted by status, so that a call lost on its way to the origin (502) is not read as under-admission.
    const counts: Record<number, number> = {};
    for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
    expect(counts).toEqual({ 200: 100, 429: 200 });
    expect(await originCalls(tag)).toHaveLength(100);
  });

  it('a key over its limit is refused from memory: further 429s cost no limiter call until the window frees one', async () => {
    const key = await createKey({ rateLimits: [{ name: 'minute', limit: 2, windowSeconds: 60 }] });
    const tag = newTag();
    for (let i = 0; i < 2; i++) expect((await get(key.key, tag)).status).toBe(200);
    await expectProblem(await get(key.key, tag), 'rate-limited', 429);
    const before = storageCounters.limiterCalls;
    for (let i = 0; i < 20; i++) {
      const res = await get(key.key, tag);
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    expect(storageCounters.limiterCalls - before).toBe(0);
    expect(await originCalls(tag)).toHaveLength(2);
  });

  it("a refusal repeated from memory follows the clock: Retry-After and the window's t count down with it", async () => {
    const key = await createKey({ rateLimits: [{ name: 'ten', limit: 1, windowSeconds: 10 }] });
    const tag = newTag();
    expect((await get(key.key, tag)).status).toBe(200);
    await expectProblem(await get(key.key, tag), 'rate-limited', 429); // decided by the limiter, then remembered
    const before = storageCounters.limiterCalls;
    const answer = async () => {
      const res = await get(key.key, tag);
      await expectProblem(res, 'rate-limited', 429);
      const retryAfter = Number(res.headers.get('retry-after'));
      expect(res.headers.get('ratelimit')).toBe(`"ten";r=0;t=${retryAfter}`);
      expect(res.headers.get('ratelimit-reset')).toBe(String(retryAfter));
      return retryAfter;
    };
    const first = await answer();
    await new Promise((r) => setTimeout(r, 1100));
    const later = await answer();
    expect(later).toBeGreaterThanOrEqual(1);
    expect(later).toBeLessThan(first);
    expect(storageCounters.limiterCalls - before).toBe(0); // both from memory
  });

  it('E39: keys are isolated: exhausting one leaves another of the same project at 200', async () => {
    const a = await createKey({ rateLimits: [{ name: 'w', limit: 2, windowSeconds: 60 }] });
    const b = await createKey({ rateLimits: [{ name: 'w', limit: 2, windowSeconds: 60 }] }, a.projectId);
    const tag = newTag();
    const ip = { 'cf-connecting-ip': '198.51.100.77' };
    for (let i = 0; i < 2; i++) expect((await gateway('/forms/1', withKey(a.key, tag, ip))).status).toBe(200);
    expect((await gateway('/forms/1', withKey(a.key, tag, ip))).status).toBe(429);
    expect((await gateway('/forms/1', withKey(b.key, tag, ip))).status).toBe(200);
  });

  it('D31: a 403 for a missing scope consumes no window and no quota', async () => {
    const key = await createKey({
      scopes: ['forms:read'],
      rateLimits: [{ name: 'w', limit: 2, windowSeconds: 60 }],
      quota: { limit: 5, period: 'day' },
    });
    const tag = newTag();
    for (let i = 0; i < 5; i++)
      await expectProblem(await gateway('/forms', { method: 'POST', body: '{}', ...withKey(key.key, tag) }), 'insufficient-scope', 403);
    expect(await adminJson('GET', `/keys/${key.id}`)).toMatchObject({ quota: { remaining: 5 } });
    const ok = await get(key.key, tag);
    expect(ok.headers.get('ratelimit-remaining')).toBe('1');
  });

  it('keys without limits never call a limiter and carry no RateLimit headers', async () => {
    const key = await createKey();
    const res = await get(key.key, newTag());
    expect(res.status).toBe(200);
    expect(res.headers.get('ratelimit-limit')).toBeNull();
  });

  it('limits can be changed through PATCH and are validated', async () => {
    const key = await createKey();
    expect(await adminJson('PATCH', `/keys/${key.id}`, { rateLimits: [{ name: 'w', limit: 1, windowSeconds: 60 }] })).toMatchObject({
      rateLimits: [{ name: 'w', limit: 1, windowSeconds: 60 }],
    });
    const tag = newTag();
    expect((await get(key.key, tag)).status).toBe(200);
    expect((await get(key.key, tag)).status).toBe(429);
    for (const bad of [
      { rateLimits: [{ name: 'w', limit: 0, windowSeconds: 60 }] },
      { rateLimits: [{ name: 'w', limit: 1, windowSeconds: 0 }] },
      {
        rateLimits: [
          { name: 'w', limit: 1, windowSeconds: 1 },
          { name: 'w', limit: 2, windowSeconds: 2 },
        ],
      },
      { rateLimits: Array.from({ length: 6 }, (_, i) => ({ name: `w${i}`, limit: 1, windowSeconds: 1 })) },
      { quota: { limit: 10, period: 'week' } },
      { quota: { limit: -1, period: 'day' } },
    ]) {
      await expectProblem(await adminCall('PATCH', `/keys/${key.id}`, bad), 'validation-failed', 400);
    }
  });

  it('FI-7: a limiter restarted mid-window keeps its counters', async () => {
    const key = await createKey({ rateLimits: [{ name: 'w', limit: 3, windowSeconds: 60 }], quota: { limit: 10, period: 'day' } });
    const tag = newTag();
    expect((await get(key.key, tag)).status).toBe(200);
    expect((await get(key.key, tag)).status).toBe(200);
    const stub = env.LIMITER.get(env.LIMITER.idFromName(key.id));
    await evictDurableObject(stub); // the instance goes, SQLite stays
    const third = await get(key.key, tag);
    expect(third.status).toBe(200);
    expect(third.headers.get('ratelimit-remaining')).toBe('0');
    expect((await get(key.key, tag)).status).toBe(429);
    expect(await adminJson('GET', `/keys/${key.id}`)).toMatchObject({ quota: { remaining: 7 } });
  });

  for (const [fault, error] of [
    ['overloaded', Object.assign(new Error('Durable Object is overloaded. Requests queued for too long.'), { overloaded: true })],
    ['unreachable', Object.assign(new Error('Network connection lost.'), { retryable: true })],
  ] as const) {
    for (const [kind, limits] of [
      ['quota', { quota: { limit: 10, period: 'day' } }],
      ['rate limit', { rateLimits: [{ name: 'minute', limit: 10, windowSeconds: 60 }] }],
    ] as const) {
      it(`FI-5: a limiter that is ${fault} ⇒ 503 auth-unavailable for a key with a ${kind}, no origin call (fail closed)`, async () => {
        const key = await createKey(limits);
        const tag = newTag();
        const broken = { LIMITER: { idFromName: () => ({}), get: () => ({ check: () => Promise.reject(error) }) } };
        const res = await gateway('/forms/1', withKey(key.key, tag), broken);
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        await expectProblem(res, 'auth-unavailable', 503);
        await expectNoOriginCall(tag);
        // Once the limiter answers again, so does the key.
        expect((await get(key.key, tag)).status).toBe(200);
      });
    }
  }

  it('FI-5: a limiter that never answers ⇒ 503 auth-unavailable at LIMITER_TIMEOUT_MS, no origin call', async () => {
    const key = await createKey({ quota: { limit: 10, period: 'day' } });
    const tag = newTag();
    const hanging = { LIMITER: { idFromName: () => ({}), get: () => ({ check: () => new Promise(() => {}) }) }, LIMITER_TIMEOUT_MS: '300' };
    const started = Date.now();
    const res = await gateway('/forms/1', withKey(key.key, tag), hanging);
    const waited = Date.now() - started;
    await expectProblem(res, 'auth-unavailable', 503);
    expect(waited, 'the wait ended at the deadline').toBeGreaterThanOrEqual(300);
    expect(waited).toBeLessThan(3_000);
    await expectNoOriginCall(tag);
    expect((await get(key.key, tag)).status).toBe(200);
  });
});
