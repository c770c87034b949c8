// Checklist C 17–21 and 25: a valid key reaches the origin with keygate's identity only; expiry,
// disabling, revocation and IP allowlists take effect at once in this location. And: no plaintext
// key is stored anywhere.

import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { adminJson, createKey } from './helpers/admin';
import { expectNoOriginCall, expectProblem, gateway, newTag, originCalls, withKey } from './helpers/gateway';
import type { Registry } from '../src/objects/registry/object';
import { registry } from '../src/objects/registry/client';
import { hashKey } from '../src/core/key-hash';

describe('C. key validity and lifecycle', () => {
  it('C17: a valid key ⇒ 200 with the origin body; the origin gets identity headers and no credential', async () => {
    const key = await createKey({ scopes: ['forms:read'], environment: 'test' });
    const tag = newTag();
    const res = await gateway('/forms/7?b=2&a=1', withKey(key.key, tag, { 'x-custom': 'kept', accept: 'application/json' }));
    expect(res.status).toBe(200);
    const echoed = (await res.json()) as { path: string; query: string };
    expect(echoed).toMatchObject({ path: '/forms/7', query: '?b=2&a=1' });
    const [call] = await originCalls(tag);
    expect(call?.headers).toMatchObject({
      'keygate-key-id': key.id,
      'keygate-project-id': key.projectId,
      'keygate-scopes': 'forms:read',
      'keygate-environment': 'test',
      'x-custom': 'kept',
      accept: 'application/json',
    });
    expect(call?.headers['authorization']).toBeUndefined();
    expect(call?.headers['x-api-key']).toBeUndefined();
    expect(call?.headers['x-request-id']).toBe(res.headers.get('x-request-id'));
  });

  it('C17: a key sent as X-API-Key is stripped too', async () => {
    const key = await createKey();
    const tag = newTag();
    expect((await gateway('/forms/1', { headers: { 'x-api-key': key.key, 'x-test-tag': tag } })).status).toBe(200);
    const [call] = await originCalls(tag);
    expect(JSON.stringify(call?.rawHeaders)).not.toContain(key.key);
  });

  it('C18: client-sent Keygate-* headers never reach the origin', async () => {
    const key = await createKey();
    const tag = newTag();
    const spoof = {
      'keygate-key-id': 'key_victim',
      'Keygate-Project-Id': 'prj_victim',
      'keygate-scopes': 'admin:*',
      'keygate-anything': 'x',
    };
    expect((await gateway('/forms/1', withKey(key.key, tag, spoof))).status).toBe(200);
    const [call] = await originCalls(tag);
    expect(call?.headers['keygate-key-id']).toBe(key.id);
    expect(call?.headers['keygate-project-id']).toBe(key.projectId);
    expect(call?.headers['keygate-scopes']).toBe('forms:read forms:write');
    expect(call?.headers['keygate-anything']).toBeUndefined();
    await expectProblem(await gateway('/forms/1', { headers: spoof }), 'missing-api-key', 401);
  });

  it('C19: a key expiring in 2 s works now and is refused after expiry, cached or not', async () => {
    const key = await createKey({ expiresAt: new Date(Date.now() + 2000).toISOString() });
    const tag = newTag();
    expect((await gateway('/forms/1', withKey(key.key, tag))).status).toBe(200); // now cached
    await new Promise((r) => setTimeout(r, 2100));
    await expectProblem(await gateway('/forms/1', withKey(key.key, tag)), 'invalid-api-key', 401);
    expect(await originCalls(tag)).toHaveLength(1);
    expect(await adminJson('GET', `/keys/${key.id}`)).toMatchObject({ status: 'expired' });
  });

  it('C20: a disabled key ⇒ 401; enabled again ⇒ 200 (next request, same location)', async () => {
    const key = await createKey();
    const tag = newTag();
    expect((await gateway('/forms/1', withKey(key.key, tag))).status).toBe(200);
    expect(await adminJson('PATCH', `/keys/${key.id}`, { enabled: false })).toMatchObject({ status: 'disabled' });
    await expectProblem(await gateway('/forms/1', withKey(key.key, tag)), 'invalid-api-key', 401);
    expect(await adminJson('PATCH', `/keys/${key.id}`, { enabled: true })).toMatchObject({ status: 'active' });
    expect((await gateway('/forms/1', withKey(key.key, tag))).status).toBe(200);
    expect(await originCalls(tag)).toHaveLength(2);
  });

  it('C21: a revoked key is refused by the next request, and stays revoked', async () => {
    const key = await createKey();
    const tag = newTag();
    expect((await gateway('/forms/1', withKey(key.key, tag))).status).toBe(200);
    expect(await adminJson('POST', `/keys/${key.id}/revoke`)).toMatchObject({ status: 'revoked' });
    await expectProblem(await gateway('/forms/1', withKey(key.key, tag)), 'invalid-api-key', 401);
    const res = await (await import('./helpers/admin')).adminCall('PATCH', `/keys/${key.id}`, { enabled: true });
    await expectProblem(res, 'conflict', 409);
    await expectProblem(await gateway('/forms/1', withKey(key.key, tag)), 'invalid-api-key', 401);
    expect(await originCalls(tag)).toHaveLength(1);
  });

  it('C25: an IP allowlist admits listed CF-Connecting-IP addresses only; X-Forwarded-For changes nothing', async () => {
    const key = await createKey({ ipAllowlist: ['198.51.100.0/24', '2001:db8::/32'] });
    const tag = newTag();
    const from = (ip: string, extra: Record<string, string> = {}) =>
      gateway('/forms/1', withKey(key.key, tag, { 'cf-connecting-ip': ip, ...extra }));
    expect((await from('198.51.100.20')).status).toBe(200);
    expect((await from('2001:db8:1::5')).status).toBe(200);
    await expectProblem(await from('192.0.2.1'), 'ip-not-allowed', 403);
    await expectProblem(
      await from('192.0.2.1', { 'x-forwarded-for': '198.51.100.20', 'x-real-ip': '198.51.100.20' }),
      'ip-not-allowed',
      403,
    );
    await expectProblem(await from('2001:db9::1'), 'ip-not-allowed', 403);
    expect(await originCalls(tag)).toHaveLength(2);
    await expectProblem(await gateway('/forms/1', withKey(key.key, tag, { 'cf-connecting-ip': '' })), 'ip-not-allowed', 403);
  });

  it('stores no plaintext key in KV or in the registry SQLite', async () => {
    const keys = await Promise.all([createKey(), createKey({ environment: 'test' }), createKey({ metadata: { team: 'a' } })]);
    const list = await env.KEYS.list();
    expect(list.keys.length).toBeGreaterThanOrEqual(3);
    let kvDump = '';
    for (const { name } of list.keys)
      kvDump += name + (await env.KEYS.get(name)) + JSON.stringify((await env.KEYS.getWithMetadata(name)).metadata);
    const stub = registry(env);
    const sqlDump = await runInDurableObject(stub, (_instance: Registry, state) => {
      const tables = state.storage.sql
        .exec(`SELECT name FROM sqlite_master WHERE type = 'table'`)
        .toArray()
        .filter(({ name }) => !String(name).startsWith('_cf_') && !String(name).startsWith('sqlite_'));
      return tables.map(({ name }) => JSON.stringify(state.storage.sql.exec(`SELECT * FROM "${String(name)}"`).toArray())).join('\n');
    });
    for (const key of keys) {
      const body = key.key.slice(8); // without the prefix and env
      expect(kvDump).not.toContain(body);
      expect(sqlDump).not.toContain(body);
      expect(kvDump).toContain(`key:${await hashKey(key.key)}`);
    }
  });

  it('a key of another project never reads as this project', async () => {
    const a = await createKey();
    const b = await createKey();
    const tagA = newTag();
    const tagB = newTag();
    await gateway('/me', withKey(a.key, tagA), { ROUTES: '' });
    await gateway('/me', withKey(b.key, tagB), { ROUTES: '' });
    expect((await originCalls(tagA))[0]?.headers['keygate-project-id']).toBe(a.projectId);
    expect((await originCalls(tagB))[0]?.headers['keygate-project-id']).toBe(b.projectId);
    expect(a.projectId).not.toBe(b.projectId);
    await expectNoOriginCall(newTag());
  });
});
