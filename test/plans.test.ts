// Plans (issue 16, point 2) and per-route limits (point 4): a plan's limits reach every holder
// within the revocation bound when the plan changes (another isolate, KV still serving the old
// record: the change feed brings the new one); the holder's own limits win where set; moving
// between plans keeps what was spent; a window naming route rules counts only those. Through the
// real entry point; the origin is the recording fake (test/helpers/fake-origin.ts).

import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { adminCall, adminJson, createKey, createProject } from './helpers/admin';
import { expectNoOriginCall, expectProblem, gateway, newTag, originCalls, withKey } from './helpers/gateway';
import { otherIsolateSynced } from './helpers/isolate';
import { staleKv } from './helpers/kv';
import { hashKey } from '../src/core/key-hash';
import { registry } from '../src/objects/registry/client';
import type { Registry } from '../src/objects/registry/object';

interface Plan {
  id: string;
  [field: string]: unknown;
}

const createPlan = (project: string, body: Record<string, unknown>) =>
  adminJson<Plan>('POST', `/projects/${project}/plans`, { name: `plan ${newTag()}`, ...body }, 201);

const quotaLimit = (res: Response) => /"quota:day";q=(\d+)/.exec(res.headers.get('ratelimit-policy') ?? '')?.[1];

describe('plans', () => {
  it('a plan change reaches every holder within the bound (another isolate, KV stale), with no edit of any key', async () => {
    const project = await createProject();
    const plan = await createPlan(project, { quota: { limit: 1000, period: 'day' } });
    const customer = await adminJson<Plan>(
      'POST',
      `/projects/${project}/customers`,
      { name: 'c', externalId: newTag(), planId: plan.id },
      201,
    );
    const own = await createKey({ planId: plan.id }, project);
    const ofCustomer = await createKey({ customerId: customer.id }, project);
    await otherIsolateSynced();
    let kv = env.KEYS;
    for (const key of [own, ofCustomer]) {
      const name = `key:${await hashKey(key.key)}`;
      kv = staleKv(kv, name, (await env.KEYS.get(name)) as string);
    }
    const tag = newTag();
    for (const key of [own, ofCustomer]) expect(quotaLimit(await gateway('/forms/1', withKey(key.key, tag), { KEYS: kv }))).toBe('1000');

    // The change, as another isolate's admin call makes it: this isolate learns it from the feed only.
    await runInDurableObject(registry(env), (r: Registry) =>
      r.updatePlan(plan.id, { quota: { limit: 2000, period: 'day' } }, 'test', Date.now()),
    );
    const changedAt = Date.now();
    const seen = new Map<string, number>();
    while (seen.size < 2 && Date.now() - changedAt < 6000) {
      for (const key of [own, ofCustomer]) {
        const limit = quotaLimit(await gateway('/forms/1', withKey(key.key, tag), { KEYS: kv }));
        if (limit === '2000' && !seen.has(key.id)) seen.set(key.id, Date.now() - changedAt);
        if (seen.has(key.id)) expect(limit, 'once changed, never back').toBe('2000');
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    console.log(`plan change seen after ${[...seen.values()].join(' and ')} ms`);
    expect(seen.size).toBe(2);
    for (const ms of seen.values()) expect(ms).toBeLessThanOrEqual(5000);
    // No key was edited: both still name the plan (or their customer), with no limits of their own.
    expect(await adminJson('GET', `/keys/${own.id}`)).toMatchObject({
      planId: plan.id,
      quota: null,
      effective: { quota: { limit: 2000 } },
    });
  });

  it("precedence: the holder's own limits where set, else the plan's, field by field; the plan's scopes for a key with none", async () => {
    const project = await createProject();
    const plan = await createPlan(project, {
      scopes: ['forms:read'],
      rateLimits: [{ name: 'minute', limit: 50, windowSeconds: 60 }],
      quota: { limit: 500, period: 'day' },
    });
    const mixed = await createKey({ planId: plan.id, scopes: [], quota: { limit: 7, period: 'day' } }, project);
    const view = await adminJson<{ effective: unknown }>('GET', `/keys/${mixed.id}`);
    expect(view.effective).toEqual({
      rateLimits: [{ name: 'minute', limit: 50, windowSeconds: 60 }],
      quota: { limit: 7, period: 'day', remaining: 7 },
      credits: null,
    });
    const tag = newTag();
    const res = await gateway('/forms/1', withKey(mixed.key, tag));
    expect(res.status).toBe(200);
    expect(res.headers.get('ratelimit-policy')).toBe('"minute";q=50;w=60, "quota:day";q=7;w=86400');
    // forms:read from the plan; forms:write it has nowhere.
    await expectProblem(await gateway('/forms', { ...withKey(mixed.key, tag), method: 'POST', body: '{}' }), 'insufficient-scope', 403);
    expect(await originCalls(tag)).toHaveLength(1);
  });

  it('moving between plans keeps what was spent in the current period (up and down)', async () => {
    const project = await createProject();
    const small = await createPlan(project, { quota: { limit: 10, period: 'day' } });
    const large = await createPlan(project, { quota: { limit: 20, period: 'day' } });
    const tiny = await createPlan(project, { quota: { limit: 5, period: 'day' } });
    const customer = await adminJson<Plan>(
      'POST',
      `/projects/${project}/customers`,
      { name: 'c', externalId: newTag(), planId: small.id },
      201,
    );
    const key = await createKey({ customerId: customer.id }, project);
    const tag = newTag();
    for (let i = 0; i < 7; i++) expect((await gateway('/forms/1', withKey(key.key, tag))).status).toBe(200);
    const moved = await adminJson<{ effective: { quota: { remaining: number } } }>('PATCH', `/customers/${customer.id}`, {
      planId: large.id,
    });
    expect(moved.effective.quota.remaining).toBe(13);
    let admitted = 0;
    for (let i = 0; i < 15; i++) if ((await gateway('/forms/1', withKey(key.key, tag))).status === 200) admitted++;
    expect(admitted).toBe(13);
    await adminJson('PATCH', `/customers/${customer.id}`, { planId: tiny.id });
    const down = newTag();
    await expectProblem(await gateway('/forms/1', withKey(key.key, down)), 'quota-exceeded', 429);
    await expectNoOriginCall(down);
    // A key that holds a plan itself moves the same way.
    const solo = await createKey({ planId: small.id }, project);
    for (let i = 0; i < 4; i++) expect((await gateway('/forms/1', withKey(solo.key, tag))).status).toBe(200);
    expect(await adminJson('PATCH', `/keys/${solo.id}`, { planId: large.id })).toMatchObject({ effective: { quota: { remaining: 16 } } });
  });

  it('a plan in use cannot be deleted (409); unused it can; bad plans are 400s naming the field', async () => {
    const project = await createProject();
    const plan = await createPlan(project, {});
    const key = await createKey({ planId: plan.id }, project);
    await expectProblem(await adminCall('DELETE', `/plans/${plan.id}`), 'conflict', 409);
    await adminJson('PATCH', `/keys/${key.id}`, { planId: null });
    expect((await adminCall('DELETE', `/plans/${plan.id}`)).status).toBe(204);
    await expectProblem(await adminCall('GET', `/plans/${plan.id}`), 'not-found', 404);
    for (const [body, path] of [
      [{}, 'name'],
      [{ name: 'p', quota: { limit: 0, period: 'day' } }, 'quota.limit'],
      [{ name: 'p', scopes: ['nope'] }, 'scopes.0'],
      [{ name: 'p', rateLimits: [{ name: 'Bad', limit: 1, windowSeconds: 1 }] }, 'rateLimits.0.name'],
    ] as const) {
      const problem = await expectProblem(await adminCall('POST', `/projects/${project}/plans`, body), 'validation-failed', 400);
      expect(problem.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    }
    expect((await adminJson<{ items: unknown[] }>('GET', `/projects/${project}/plans`)).items).toEqual([]);
  });
});

describe('per-route limits', () => {
  it('a window naming route rules counts only calls of those rules; other routes are not limited by it', async () => {
    const attachment = 'PUT /forms/:id/attachment';
    const key = await createKey({ rateLimits: [{ name: 'uploads', limit: 2, windowSeconds: 60, routes: [attachment] }] });
    const tag = newTag();
    const put = () => gateway('/forms/1/attachment', { ...withKey(key.key, tag), method: 'PUT', body: 'x' });
    expect((await put()).status).toBe(200);
    for (let i = 0; i < 5; i++) {
      const read = await gateway('/forms/1', withKey(key.key, tag));
      expect(read.status).toBe(200);
      expect(read.headers.get('ratelimit-policy'), 'reads carry no limit').toBeNull();
    }
    const second = await put();
    expect(second.status).toBe(200);
    expect(second.headers.get('ratelimit-remaining')).toBe('0');
    const refusedTag = newTag();
    const third = await gateway('/forms/1/attachment', { ...withKey(key.key, refusedTag), method: 'PUT', body: 'x' });
    expect((await expectProblem(third, 'rate-limited', 429)).detail).toContain('uploads');
    await expectNoOriginCall(refusedTag);
    expect((await gateway('/forms/1', withKey(key.key, tag))).status).toBe(200);
    expect(await originCalls(tag)).toHaveLength(8);
  });
});
