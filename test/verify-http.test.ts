// The HTTP verifier (issue 17): POST /_keygate/v1/verify with a project's verify token — created
// through the admin API, shown once, stored only as a hash, listed without it, revocable, audited.
// A wrong token, no token, the admin token or an API key get 401 invalid-verify-token; a key of
// another project is an unknown key to the token's verifier.

import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, expectProblem } from './helpers/gateway';
import { adminCall, adminJson, createKey, createProject } from './helpers/admin';
import { createVerifyToken, verifyByHttp } from './helpers/verify';
import { registry } from '../src/objects/registry/client';
import type { Registry } from '../src/objects/registry/object';
import type { VerifyResult } from '../src/verify/outcome';

async function verified(token: string, input: unknown): Promise<VerifyResult> {
  const res = await verifyByHttp(token, input);
  const text = await res.text();
  expect(res.status, text).toBe(200);
  expect(res.headers.get('cache-control')).toBe('no-store');
  return JSON.parse(text) as VerifyResult;
}

describe('verify tokens', () => {
  it('are shown once, stored only as a hash, listed without the secret, and audited', async () => {
    const projectId = await createProject();
    const created = await createVerifyToken(projectId, 'edge gateway');
    expect(created.token).toMatch(/^kgvt_[0-9A-Za-z]{40}$/);
    expect(created).toMatchObject({ projectId, name: 'edge gateway', status: 'active', start: created.token.slice(0, 12) });

    const list = await adminJson<{ items: Record<string, unknown>[] }>('GET', `/projects/${projectId}/verify-tokens`);
    expect(list.items).toEqual([expect.objectContaining({ id: created.id, status: 'active' })]);
    expect(JSON.stringify(list)).not.toContain(created.token);

    const rows = await runInDurableObject(registry(env), async (_: Registry, state) =>
      JSON.stringify(state.storage.sql.exec('SELECT * FROM verify_tokens').toArray()),
    );
    expect(rows).toContain(created.id);
    expect(rows).not.toContain(created.token);
    const kv = await env.KEYS.list({ prefix: 'verify-token:' });
    for (const { name } of kv.keys) expect(`${name} ${await env.KEYS.get(name)}`).not.toContain(created.token);

    const audit = await adminJson<{ items: { action: string; target: string }[] }>('GET', '/audit?limit=100');
    expect(audit.items.filter((e) => e.target === created.id).map((e) => e.action)).toEqual(['verify-token.create']);
    expect(JSON.stringify(audit)).not.toContain(created.token);
  });

  it('404 for an unknown project; 400 for a bad body', async () => {
    await expectProblem(await adminCall('POST', '/projects/prj_00000000000000000000/verify-tokens', { name: 'x' }), 'not-found', 404);
    const projectId = await createProject();
    await expectProblem(await adminCall('POST', `/projects/${projectId}/verify-tokens`, { name: '' }), 'validation-failed', 400);
    await expectProblem(
      await adminCall('POST', `/projects/${projectId}/verify-tokens`, { name: 'x', id: 'vtk_mine' }),
      'validation-failed',
      400,
    );
  });
});

describe('POST /_keygate/v1/verify', () => {
  it('answers the decision for a key of the token’s project', async () => {
    const key = await createKey({ scopes: ['forms:read'] });
    const { token } = await createVerifyToken(key.projectId);
    expect(await verified(token, { key: key.key, method: 'GET', path: '/forms/1', clientIp: '203.0.113.4' })).toMatchObject({
      valid: true,
      code: 'allowed',
      keyId: key.id,
      scopes: ['forms:read'],
    });
    const refused = await verified(token, { key: key.key, method: 'DELETE', path: '/forms/1' });
    expect(refused).toMatchObject({ valid: false, code: 'insufficient-scope', refusal: { status: 403 } });
  });

  it('no token, a wrong one, the admin token, an API key, a revoked token: 401 invalid-verify-token', async () => {
    const key = await createKey();
    const { token, id } = await createVerifyToken(key.projectId);
    const input = { key: key.key, path: '/forms/1' };
    for (const wrong of [undefined, 'kgvt_' + 'x'.repeat(40), ADMIN_TOKEN, key.key, `${token}x`]) {
      const res = await verifyByHttp(wrong, input);
      await expectProblem(res, 'invalid-verify-token', 401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="keygate-verify"');
    }
    expect((await verified(token, input)).valid).toBe(true);
    const revoked = await adminJson('POST', `/verify-tokens/${id}/revoke`);
    expect(revoked).toMatchObject({ id, status: 'revoked' });
    await expectProblem(await verifyByHttp(token, input), 'invalid-verify-token', 401);
    const audit = await adminJson<{ items: { action: string; target: string }[] }>('GET', '/audit?limit=100');
    expect(audit.items.filter((e) => e.target === id).map((e) => e.action)).toEqual(['verify-token.create', 'verify-token.revoke']);
  });

  it('deleting a project revokes its verify tokens (and only its own), in KV and in the audit entry', async () => {
    const key = await createKey();
    const doomed = [await createVerifyToken(key.projectId, 'a'), await createVerifyToken(key.projectId, 'b')];
    const other = await createKey();
    const kept = await createVerifyToken(other.projectId);
    for (const { token } of doomed) expect((await verified(token, { key: key.key, path: '/forms/1' })).valid).toBe(true);

    expect((await adminCall('DELETE', `/projects/${key.projectId}`)).status).toBe(204);
    for (const { token } of doomed)
      await expectProblem(await verifyByHttp(token, { key: key.key, path: '/forms/1' }), 'invalid-verify-token', 401);
    const stored = await runInDurableObject(registry(env), async (_: Registry, state) =>
      state.storage.sql.exec<{ id: string; revoked_at: number | null }>('SELECT id, revoked_at FROM verify_tokens').toArray(),
    );
    for (const { id } of doomed) expect(stored.find((r) => r.id === id)?.revoked_at).toEqual(expect.any(Number));
    expect(stored.find((r) => r.id === kept.id)?.revoked_at).toBeNull();
    const kv = await env.KEYS.list({ prefix: 'verify-token:' });
    const records = await Promise.all(
      kv.keys.map(async ({ name }) => JSON.parse((await env.KEYS.get(name)) ?? 'null') as { id: string; status: string }),
    );
    for (const { id } of doomed) expect(records.find((r) => r.id === id)?.status).toBe('revoked');
    expect(records.find((r) => r.id === kept.id)?.status).toBe('active');
    expect((await verified(kept.token, { key: other.key, path: '/forms/1' })).valid).toBe(true);

    const audit = await adminJson<{ items: { action: string; target: string; changes: { revokedVerifyTokens?: string[] } }[] }>(
      'GET',
      '/audit?limit=100',
    );
    const entry = audit.items.find((e) => e.action === 'project.delete' && e.target === key.projectId);
    expect(entry?.changes.revokedVerifyTokens?.sort()).toEqual(doomed.map((t) => t.id).sort());
  });

  it('a key of another project is an unknown key to this token', async () => {
    const key = await createKey();
    const { token } = await createVerifyToken(await createProject('another'));
    const result = await verified(token, { key: key.key, path: '/forms/1' });
    expect(result).toMatchObject({ valid: false, code: 'invalid-api-key', keyId: null, projectId: null, refusal: { status: 401 } });
  });

  it('bad input is a 400 validation-failed naming each field', async () => {
    const { token } = await createVerifyToken(await createProject());
    const problem = await expectProblem(await verifyByHttp(token, { key: 1, path: 'x' }), 'validation-failed', 400);
    expect((problem.errors as { path: string }[]).map((e) => e.path).sort()).toEqual(['key', 'path']);
  });
});
