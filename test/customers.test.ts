// Customers (issue 16, point 1): a customer's limits are shared by all its keys and counted exactly
// by one limiter (the customer's); the origin is told the customer, signed; deleting a customer
// revokes its keys; usage and the request log read per customer. Through the real entry point, the
// fake origin (test/helpers/fake-origin.ts, a recording Node server) standing in for the API owner's.

import { describe, expect, it } from 'vitest';
import { adminCall, adminJson, createKey, createProject, type CreatedKey } from './helpers/admin';
import { expectNoOriginCall, expectProblem, gateway, gatewayNoWait, newTag, originCalls, withKey } from './helpers/gateway';
import { storageCounters } from '../src/bench-counters';
import { verifyKeygateRequest } from '../src/verifier/index.mjs';
import { env } from 'cloudflare:test';

interface Customer {
  id: string;
  projectId: string;
  externalId: string;
  quota: { limit: number; period: string; remaining: number } | null;
  effective: { quota: { limit: number } | null };
  [field: string]: unknown;
}

async function customerWithKeys(
  project: string,
  body: Record<string, unknown>,
  n: number,
): Promise<{ customer: Customer; keys: CreatedKey[] }> {
  const customer = await adminJson<Customer>(
    'POST',
    `/projects/${project}/customers`,
    { name: 'Acme', externalId: `acme-${newTag()}`, ...body },
    201,
  );
  const keys: CreatedKey[] = [];
  for (let i = 0; i < n; i++) keys.push(await createKey({ name: `k${i}`, customerId: customer.id }, project));
  return { customer, keys };
}

describe('customers', () => {
  it('3 keys of one customer with a quota of 100 admit exactly 100 calls together under 300-way concurrency; the origin sees exactly 100', async () => {
    const project = await createProject();
    const { customer, keys } = await customerWithKeys(project, { quota: { limit: 100, period: 'day' } }, 3);
    const tag = newTag();
    const statuses = await Promise.all(
      Array.from({ length: 300 }, (_, i) => gateway('/forms/1', withKey((keys[i % 3] as CreatedKey).key, tag)).then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(100);
    expect(statuses.filter((s) => s === 429)).toHaveLength(200);
    expect(await originCalls(tag)).toHaveLength(100);
    expect(await adminJson<Customer>('GET', `/customers/${customer.id}`)).toMatchObject({ quota: { limit: 100, remaining: 0 } });
    // Each key shows the customer's quota as what applies to it, used up for all of them.
    const view = await adminJson<{ quota: null; effective: { quota: { remaining: number } } }>('GET', `/keys/${keys[1]?.id}`);
    expect(view.quota).toBeNull();
    expect(view.effective.quota.remaining).toBe(0);
  });

  it("a hot customer's keys share one lease: few limiter calls for 1,000 calls over 4 keys, counted down exactly", async () => {
    const project = await createProject();
    const { customer, keys } = await customerWithKeys(project, { quota: { limit: 100_000, period: 'day' } }, 4);
    const tag = newTag();
    const before = storageCounters.limiterCalls;
    const started = Date.now();
    for (let i = 0; i < 1000; i++) {
      const res = await gatewayNoWait('/forms/1', withKey((keys[i % 4] as CreatedKey).key, tag));
      await res.arrayBuffer();
      expect(res.status).toBe(200);
    }
    const limiterCalls = storageCounters.limiterCalls - before;
    // As for one hot key (test/leases.test.ts): a few per-call checks, then about one lease a second.
    expect(limiterCalls).toBeLessThanOrEqual(8 + 2 * Math.ceil((Date.now() - started) / 1000));
    console.log(`1,000 calls over 4 keys of one customer: ${limiterCalls} limiter calls`);
    expect(await originCalls(tag)).toHaveLength(1000);
    expect(await adminJson<Customer>('GET', `/customers/${customer.id}`)).toMatchObject({ quota: { remaining: 99_000 } });
  });

  it('a rate limit on the customer is one window for all its keys', async () => {
    const project = await createProject();
    const { keys } = await customerWithKeys(project, { rateLimits: [{ name: 'minute', limit: 4, windowSeconds: 60 }] }, 2);
    const tag = newTag();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await gateway('/forms/1', withKey((keys[i % 2] as CreatedKey).key, tag))).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    expect(await originCalls(tag)).toHaveLength(4);
  });

  it('the origin receives Keygate-Customer-Id and the external id, signed; client-sent values of those names are dropped', async () => {
    const project = await createProject();
    const { customer, keys } = await customerWithKeys(project, {}, 1);
    const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const jwk = (await crypto.subtle.exportKey('jwk', pair.privateKey)) as JsonWebKey;
    const signed = { ORIGIN_SIGNING_KEY: JSON.stringify(jwk) };
    const tag = newTag();
    const forged = { 'keygate-customer-id': 'cus_victim', 'Keygate-Customer-External-Id': 'victim' };
    expect((await gateway('/forms/1', withKey((keys[0] as CreatedKey).key, tag, forged), signed)).status).toBe(200);
    const [call] = await originCalls(tag);
    expect(call?.headers['keygate-customer-id']).toBe(customer.id);
    expect(call?.headers['keygate-customer-external-id']).toBe(customer.externalId);
    expect(call?.headers['signature-input']).toContain('"keygate-customer-id" "keygate-customer-external-id"');
    const request = { method: 'GET', url: `${env.ORIGIN_URL}${call?.url ?? ''}`, headers: { ...call?.headers } };
    const publicKey = { kty: 'OKP' as const, crv: 'Ed25519' as const, x: jwk.x as string };
    expect(await verifyKeygateRequest(request, { publicKey })).toMatchObject({
      ok: true,
      customerId: customer.id,
      customerExternalId: customer.externalId,
    });
    // Changed, or dropped, the customer fails the signature; a key of no customer sends neither header.
    const swapped = { ...request, headers: { ...request.headers, 'keygate-customer-id': 'cus_other' } };
    expect(await verifyKeygateRequest(swapped, { publicKey })).toEqual({ ok: false, reason: 'bad-signature' });
    const dropped = { ...request, headers: { ...request.headers, 'keygate-customer-id': undefined } };
    expect((await verifyKeygateRequest(dropped, { publicKey })).ok).toBe(false);
    const plain = await createKey({}, project);
    const plainTag = newTag();
    await gateway('/forms/1', withKey(plain.key, plainTag, forged));
    expect((await originCalls(plainTag))[0]?.headers['keygate-customer-id']).toBeUndefined();
  });

  it('deleting a customer revokes its keys (401, origin not called); its external id may be used again', async () => {
    const project = await createProject();
    const { customer, keys } = await customerWithKeys(project, {}, 2);
    expect((await adminCall('DELETE', `/customers/${customer.id}`)).status).toBe(204);
    for (const key of keys) {
      const tag = newTag();
      await expectProblem(await gateway('/forms/1', withKey(key.key, tag)), 'invalid-api-key', 401);
      await expectNoOriginCall(tag);
      expect(await adminJson('GET', `/keys/${key.id}`)).toMatchObject({ status: 'revoked' });
    }
    await expectProblem(await adminCall('GET', `/customers/${customer.id}`), 'not-found', 404);
    await adminJson('POST', `/projects/${project}/customers`, { name: 'again', externalId: customer.externalId }, 201);
  });

  it('deleting a project deletes its customers and plans with its keys: none is readable or usable after', async () => {
    const project = await createProject();
    const plan = await adminJson<{ id: string }>(
      'POST',
      `/projects/${project}/plans`,
      { name: `plan ${newTag()}`, quota: { limit: 10, period: 'month' } },
      201,
    );
    const { customer, keys } = await customerWithKeys(project, { planId: plan.id }, 1);
    const own = await createKey({ name: 'on the plan', planId: plan.id }, project);
    expect((await adminCall('DELETE', `/projects/${project}`)).status).toBe(204);
    await expectProblem(await adminCall('GET', `/customers/${customer.id}`), 'not-found', 404);
    await expectProblem(await adminCall('GET', `/plans/${plan.id}`), 'not-found', 404);
    await expectProblem(await adminCall('PATCH', `/customers/${customer.id}`, { name: 'revived' }), 'not-found', 404);
    for (const key of [...keys, own]) {
      const tag = newTag();
      await expectProblem(await gateway('/forms/1', withKey(key.key, tag)), 'invalid-api-key', 401);
      await expectNoOriginCall(tag);
    }
  });

  it('usage and the request log read per customer, across its keys', async () => {
    const project = await createProject();
    const { customer, keys } = await customerWithKeys(project, {}, 2);
    const other = await createKey({}, project);
    const tag = newTag();
    for (const key of [...keys, keys[0] as CreatedKey, other]) expect((await gateway('/forms/1', withKey(key.key, tag))).status).toBe(200);
    const usage = await adminJson<{ total: number; topKeys: { keyId: string; count: number }[] }>(
      'GET',
      `/customers/${customer.id}/usage?granularity=minute`,
    );
    expect(usage.total).toBe(3);
    expect(usage.topKeys).toEqual([
      { keyId: keys[0]?.id, count: 2 },
      { keyId: keys[1]?.id, count: 1 },
    ]);
    const log = await adminJson<{ items: { keyId: string }[] }>('GET', `/customers/${customer.id}/requests?limit=10`);
    expect(log.items.map((e) => e.keyId).sort()).toEqual([keys[0]?.id, keys[0]?.id, keys[1]?.id].sort());
  });

  it('bad input is a 400 naming the field; a taken external id is 409; nothing is created', async () => {
    const project = await createProject();
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 'x' }, 'externalId'],
      [{ name: 'x', externalId: 'has space' }, 'externalId'],
      [{ name: 'x', externalId: 'e', planId: 'pln_nope' }, 'planId'],
      [{ name: 'x', externalId: 'e', planId: 'pln_AAAAAAAAAAAAAAAAAAAA' }, 'planId'],
      [{ name: 'x', externalId: 'e', credits: { initial: -1 } }, 'credits.initial'],
      [{ name: 'x', externalId: 'e', credits: { initial: 5, refill: { period: 'week', mode: 'to', amount: 5 } } }, 'credits.refill.period'],
      [
        { name: 'x', externalId: 'e', rateLimits: [{ name: 'r', limit: 1, windowSeconds: 60, routes: ['GET /nowhere'] }] },
        'rateLimits.0.routes.0',
      ],
      [{ name: 'x', externalId: 'e', id: 'cus_mine' }, 'id'],
    ];
    for (const [body, path] of cases) {
      const problem = await expectProblem(await adminCall('POST', `/projects/${project}/customers`, body), 'validation-failed', 400);
      expect(problem.errors, JSON.stringify(body)).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    }
    await adminJson('POST', `/projects/${project}/customers`, { name: 'a', externalId: 'same' }, 201);
    await expectProblem(await adminCall('POST', `/projects/${project}/customers`, { name: 'b', externalId: 'same' }), 'conflict', 409);
    const listed = await adminJson<{ items: Customer[] }>('GET', `/projects/${project}/customers`);
    expect(listed.items.map((c) => c.externalId)).toEqual(['same']);
    // A key of a customer takes its limits from the customer.
    const customer = listed.items[0] as Customer;
    const refused = await adminCall('POST', `/projects/${project}/keys`, {
      name: 'k',
      scopes: [],
      customerId: customer.id,
      quota: { limit: 5, period: 'day' },
    });
    const problem = await expectProblem(refused, 'validation-failed', 400);
    expect(problem.errors).toEqual([expect.objectContaining({ path: 'quota' })]);
    const elsewhere = await createProject();
    const foreign = await adminCall('POST', `/projects/${elsewhere}/keys`, { name: 'k', scopes: [], customerId: customer.id });
    expect((await expectProblem(foreign, 'validation-failed', 400)).errors).toEqual([expect.objectContaining({ path: 'customerId' })]);
    expect((await adminJson<{ items: unknown[] }>('GET', `/projects/${elsewhere}/keys`)).items).toEqual([]);
  });
});
