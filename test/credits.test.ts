// Credits and per-route cost (issue 16, point 3): a call is admitted only if the balance covers its
// route rule's cost, exactly under concurrency; cost 0 only checks; the balance left is in
// Keygate-Credits-Remaining; refills happen at the UTC boundary, `to` (the balance becomes the
// amount) and `by` (the amount is added per boundary passed). Through the real entry point, the
// recording fake origin (test/helpers/fake-origin.ts) standing in for the API.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { adminCall, adminJson, createKey, createProject, type CreatedKey } from './helpers/admin';
import { expectNoOriginCall, expectProblem, gateway, newTag, originCalls, withKey } from './helpers/gateway';

/** The test's route rules: reading a form costs 3, listing forms 0 (a check), writing the default 1. */
const ROUTES = JSON.stringify([
  { method: ['GET', 'HEAD'], path: '/forms/:id', scopes: ['forms:read'], cost: 3 },
  { method: 'GET', path: '/forms', scopes: ['forms:read'], cost: 0 },
  { method: 'POST', path: '/forms', scopes: ['forms:write'] },
]);
const priced = { ROUTES };
const call = (key: string, tag: string, path = '/forms/1', init: RequestInit = {}) =>
  gateway(path, { ...withKey(key, tag), ...init }, priced);
const balanceOf = async (keyId: string) =>
  (await adminJson<{ effective: { credits: { balance: number } } }>('GET', `/keys/${keyId}`)).effective.credits.balance;

afterEach(() => {
  vi.useRealTimers();
});

describe('credits', () => {
  it('300 parallel calls of cost 3 against 100 credits admit exactly 33; the origin sees 33; 1 credit is left', async () => {
    const key = await createKey({ credits: { initial: 100 } });
    const tag = newTag();
    const statuses = await Promise.all(Array.from({ length: 300 }, () => call(key.key, tag).then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(33);
    expect(statuses.filter((s) => s === 429)).toHaveLength(267);
    expect(await originCalls(tag)).toHaveLength(33);
    expect(await balanceOf(key.id)).toBe(1);
  });

  it("a customer's balance is shared by its keys: 300 calls of cost 3 over 3 keys against 100 credits admit exactly 33", async () => {
    const project = await createProject();
    const customer = await adminJson<{ id: string }>(
      'POST',
      `/projects/${project}/customers`,
      { name: 'c', externalId: newTag(), credits: { initial: 100 } },
      201,
    );
    const keys: CreatedKey[] = [];
    for (let i = 0; i < 3; i++) keys.push(await createKey({ customerId: customer.id }, project));
    const tag = newTag();
    const statuses = await Promise.all(Array.from({ length: 300 }, (_, i) => call(keys[i % 3]?.key as string, tag).then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(33);
    expect(await originCalls(tag)).toHaveLength(33);
    expect(await adminJson('GET', `/customers/${customer.id}`)).toMatchObject({ credits: { initial: 100, balance: 1 } });
  });

  it('the balance left is returned in Keygate-Credits-Remaining; a call it does not cover is 429 with no origin call; cost 0 only checks', async () => {
    const key = await createKey({ credits: { initial: 7 } });
    const tag = newTag();
    const first = await call(key.key, tag);
    expect(first.status).toBe(200);
    expect(first.headers.get('keygate-credits-remaining')).toBe('4');
    expect(first.headers.get('ratelimit-policy'), 'a balance is no RateLimit policy').toBeNull();
    expect((await call(key.key, tag)).headers.get('keygate-credits-remaining')).toBe('1');
    const refusedTag = newTag();
    const refused = await call(key.key, refusedTag);
    expect((await expectProblem(refused, 'quota-exceeded', 429)).detail).toMatch(/credits.*costs 3/);
    expect(refused.headers.get('keygate-credits-remaining')).toBe('1');
    await expectNoOriginCall(refusedTag);
    // Cost 0: admitted while the balance is positive, spending nothing; cost 1 (the default) spends the last one.
    for (let i = 0; i < 3; i++) expect((await call(key.key, tag, '/forms')).headers.get('keygate-credits-remaining')).toBe('1');
    expect((await call(key.key, tag, '/forms', { method: 'POST', body: '{}' })).headers.get('keygate-credits-remaining')).toBe('0');
    const checkTag = newTag();
    await expectProblem(await call(key.key, checkTag, '/forms'), 'quota-exceeded', 429);
    await expectNoOriginCall(checkTag);
    expect(await originCalls(tag)).toHaveLength(6);
  });

  it('an empty balance refuses each route with its own cost in the detail, however the refusals alternate', async () => {
    const key = await createKey({ credits: { initial: 1 } });
    const tag = newTag();
    expect((await call(key.key, tag, '/forms', { method: 'POST', body: '{}' })).headers.get('keygate-credits-remaining')).toBe('0');
    for (let round = 0; round < 3; round++) {
      expect((await expectProblem(await call(key.key, tag), 'quota-exceeded', 429)).detail).toBe(
        'Not enough credits left for this call (it costs 3)',
      );
      expect((await expectProblem(await call(key.key, tag, '/forms'), 'quota-exceeded', 429)).detail).toBe('No credits left');
    }
    expect(await originCalls(tag)).toHaveLength(1);
  });

  it('the admin sets or adds to the balance exactly; without credits that is a 409; bad changes are 400s', async () => {
    const key = await createKey({ credits: { initial: 2 } });
    const tag = newTag();
    await call(key.key, tag);
    await expectProblem(await call(key.key, newTag()), 'quota-exceeded', 429);
    expect(await adminJson('POST', `/keys/${key.id}/credits`, { add: 10 })).toEqual({ balance: 12 });
    expect((await call(key.key, tag)).headers.get('keygate-credits-remaining')).toBe('9');
    expect(await adminJson('POST', `/keys/${key.id}/credits`, { set: 3 })).toEqual({ balance: 3 });
    expect(await adminJson('POST', `/keys/${key.id}/credits`, { add: -5 })).toEqual({ balance: 0 });
    for (const body of [{}, { set: 1, add: 1 }, { set: -1 }, { add: 1.5 }]) {
      await expectProblem(await adminCall('POST', `/keys/${key.id}/credits`, body), 'validation-failed', 400);
    }
    expect(await balanceOf(key.id)).toBe(0);
    const none = await createKey();
    await expectProblem(await adminCall('POST', `/keys/${none.id}/credits`, { add: 1 }), 'conflict', 409);
  });

  it('a ROUTES rule with a bad cost fails closed with a clear configuration error', async () => {
    const key = await createKey({ credits: { initial: 5 } });
    const tag = newTag();
    const bad = JSON.stringify([{ method: 'GET', path: '/forms/:id', scopes: [], cost: -1 }]);
    const res = await gateway('/forms/1', withKey(key.key, tag), { ROUTES: bad });
    expect(res.status).toBe(500);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/ROUTES\[0\]\.cost must be an integer from 0 to 1000000/);
    await expectNoOriginCall(tag);
  });
});

describe('credit refills happen on the boundary', () => {
  /** Calls at `at` (the clock of the worker, the limiter and the test alike). */
  const at = (iso: string) => vi.setSystemTime(new Date(iso));

  it('`to`: at the day boundary the balance becomes the amount (what was left is not carried over), not a second before', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    at('2026-12-02T23:59:50Z');
    const key = await createKey({ credits: { initial: 9, refill: { period: 'day', mode: 'to', amount: 5 } } });
    const tag = newTag();
    expect((await call(key.key, tag)).headers.get('keygate-credits-remaining')).toBe('6');
    at('2026-12-02T23:59:59Z');
    expect((await call(key.key, tag)).headers.get('keygate-credits-remaining')).toBe('3');
    at('2026-12-03T00:00:01Z');
    expect((await call(key.key, tag)).headers.get('keygate-credits-remaining')).toBe('2');
    expect(await balanceOf(key.id)).toBe(2);
  });

  it('`by`: the amount is added at each month boundary passed, on top of what was left', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    at('2026-12-31T23:59:55Z');
    const key = await createKey({ credits: { initial: 4, refill: { period: 'month', mode: 'by', amount: 10 } } });
    const tag = newTag();
    expect((await call(key.key, tag)).headers.get('keygate-credits-remaining')).toBe('1');
    await expectProblem(await call(key.key, newTag()), 'quota-exceeded', 429);
    at('2027-01-01T00:00:02Z');
    expect((await call(key.key, tag)).headers.get('keygate-credits-remaining')).toBe('8');
    at('2027-03-01T00:00:02Z'); // two boundaries passed: + 2 × 10
    expect(await balanceOf(key.id)).toBe(28);
    expect(await originCalls(tag)).toHaveLength(2);
  });
});
