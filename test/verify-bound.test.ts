// The verifiers share the data plane's caches, change feed and usage (issue 17): a revoked key
// verifies invalid within the same 5 s bound — over RPC, and over HTTP while KV still serves the
// old record (as in test/revocation.test.ts FI-3) — and a verify call is counted as a call of its
// key, with its outcome, in the key's usage and request log.

import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createKey } from './helpers/admin';
import { otherIsolateSynced } from './helpers/isolate';
import { staleKv } from './helpers/kv';
import { usageOf } from './helpers/usage';
import { adminJson } from './helpers/admin';
import { createVerifyToken, verifyByHttp, verifyByRpc } from './helpers/verify';
import { hashKey } from '../src/core/key-hash';
import { registry } from '../src/objects/registry/client';
import type { Registry } from '../src/objects/registry/object';
import type { VerifyResult } from '../src/verify/outcome';

const BOUND_MS = 5_000;

/** Polls `check` every 200 ms for 6 s after `revokedAt`; when it first said invalid (and that it never said valid again). */
async function refusedAfter(revokedAt: number, check: () => Promise<boolean>): Promise<{ after: number | null; first: boolean }> {
  let after: number | null = null;
  let first: boolean | undefined;
  while (Date.now() - revokedAt < 6_000) {
    const valid = await check();
    first ??= valid;
    if (!valid) after ??= Date.now() - revokedAt;
    else expect(after, 'once refused, never valid again').toBeNull();
    await new Promise((r) => setTimeout(r, 200));
  }
  return { after, first: first as boolean };
}

const revoke = (id: string) => runInDurableObject(registry(env), (instance: Registry) => instance.revokeKey(id, 'test', Date.now()));

describe('revocation reaches the verifiers within the data plane’s bound', () => {
  it('RPC: a key verified (and cached) here verifies invalid within 5 s of a revocation made elsewhere', async () => {
    const key = await createKey();
    await otherIsolateSynced();
    expect((await verifyByRpc({ key: key.key, path: '/forms/1' })).valid).toBe(true);
    await revoke(key.id);
    const { after } = await refusedAfter(Date.now(), async () => (await verifyByRpc({ key: key.key, path: '/forms/1' })).valid);
    console.log(`RPC verifier: revoked key invalid ${after} ms after the revocation`);
    expect(after).not.toBeNull();
    expect(after as number).toBeLessThanOrEqual(BOUND_MS);
  });

  it('HTTP: while KV still serves the old record, the change feed makes the key invalid within 5 s', async () => {
    const key = await createKey();
    const { token } = await createVerifyToken(key.projectId);
    await otherIsolateSynced();
    const kvKey = `key:${await hashKey(key.key)}`;
    const kv = staleKv(env.KEYS, kvKey, (await env.KEYS.get(kvKey)) as string);
    const valid = async () =>
      ((await (await verifyByHttp(token, { key: key.key, path: '/forms/1' }, { KEYS: kv })).json()) as VerifyResult).valid;
    expect(await valid()).toBe(true);
    await revoke(key.id);
    const { after, first } = await refusedAfter(Date.now(), valid);
    console.log(`HTTP verifier: revoked key invalid ${after} ms after the revocation (KV stale)`);
    expect(first, 'learnt from the feed, not at once').toBe(true);
    expect(after).not.toBeNull();
    expect(after as number).toBeLessThanOrEqual(BOUND_MS);
  });
});

describe('a verify call is a call of its key', () => {
  it('counted in the key’s usage with its outcome, and in its request log as the verifier’s', async () => {
    const key = await createKey({ scopes: ['forms:read'] });
    const { token } = await createVerifyToken(key.projectId);
    for (const method of ['GET', 'GET', 'DELETE'])
      await verifyByHttp(token, { key: key.key, method, path: '/forms/1', clientIp: '192.0.2.8' });
    const usage = await usageOf(`/keys/${key.id}/usage?groupBy=outcome`);
    expect(usage.total).toBe(3);
    expect(usage.byOutcome).toEqual({ allowed: 2, 'insufficient-scope': 1 });
    const log = await adminJson<{ items: Record<string, unknown>[] }>('GET', `/keys/${key.id}/requests`);
    expect(log.items).toHaveLength(3);
    expect(log.items[0]).toMatchObject({
      method: expect.any(String),
      path: '/forms/1',
      clientIp: '192.0.2.8',
      userAgent: 'keygate-verify (http)',
    });
  });
});
