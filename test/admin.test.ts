// The minimal admin API: projects and keys, validation, read-your-writes, pagination and safety.

import { describe, expect, it } from 'vitest';
import { adminCall, adminJson, createKey, createProject, type CreatedKey } from './helpers/admin';
import { expectProblem, gateway, newTag, withKey } from './helpers/gateway';

describe('admin API', () => {
  it('creates a project (201 + Location) and reads it back', async () => {
    const res = await adminCall('POST', '/projects', { name: 'clinic app', description: 'reads forms', metadata: { team: 'care' } });
    expect(res.status).toBe(201);
    const project = (await res.json()) as { id: string };
    expect(project).toMatchObject({ name: 'clinic app', description: 'reads forms', metadata: { team: 'care' } });
    expect(project.id).toMatch(/^prj_[0-9A-Za-z]{20}$/);
    expect(res.headers.get('location')).toBe(`/_keygate/v1/projects/${project.id}`);
    expect(await adminJson('GET', `/projects/${project.id}`)).toEqual(project);
  });

  it('creates a key: plaintext once in the 201, never again; list and get show start, never key or hash', async () => {
    const projectId = await createProject();
    const res = await adminCall('POST', `/projects/${projectId}/keys`, {
      name: 'reader',
      scopes: ['forms:read'],
      environment: 'test',
      metadata: { owner: 'ops' },
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as CreatedKey;
    expect(created.key).toMatch(/^kg_test_[0-9A-Za-z]{38}$/);
    expect(res.headers.get('location')).toBe(`/_keygate/v1/keys/${created.id}`);
    expect(created).toMatchObject({
      projectId,
      name: 'reader',
      environment: 'test',
      scopes: ['forms:read'],
      status: 'active',
      exposed: false,
      start: created.key.slice(3, 15),
      metadata: { owner: 'ops' },
    });
    const fetched = await adminJson('GET', `/keys/${created.id}`);
    const listed = await adminJson<{ items: unknown[] }>('GET', `/projects/${projectId}/keys`);
    for (const view of [fetched, listed.items[0]]) {
      const text = JSON.stringify(view);
      expect(text).not.toContain(created.key.slice(8));
      expect(text).not.toMatch(/[0-9a-f]{64}/);
      expect(view).not.toHaveProperty('key');
      expect(view).not.toHaveProperty('hash');
    }
    const { key: _shown, ...rest } = created;
    expect(fetched).toEqual(rest);
  });

  it('read-your-writes: a new key is listed at once, a revoked key reads revoked at once', async () => {
    const projectId = await createProject();
    const key = await createKey({}, projectId);
    const listed = await adminJson<{ items: { id: string }[] }>('GET', `/projects/${projectId}/keys`);
    expect(listed.items.map((k) => k.id)).toEqual([key.id]);
    await adminJson('POST', `/keys/${key.id}/revoke`);
    expect(await adminJson('GET', `/keys/${key.id}`)).toMatchObject({ status: 'revoked' });
    expect(((await adminJson('POST', `/keys/${key.id}/revoke`)) as { revokedAt: string }).revokedAt).toBeTruthy();
  });

  it('pages with stable cursors: no duplicates or gaps while keys are being created', async () => {
    const projectId = await createProject();
    for (let i = 0; i < 5; i++) await createKey({ name: `k${i}` }, projectId);
    const seen: string[] = [];
    let cursor: string | null = null;
    let round = 0;
    do {
      const page: { items: { name: string }[]; nextCursor: string | null } = await adminJson(
        'GET',
        `/projects/${projectId}/keys?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((k) => k.name));
      cursor = page.nextCursor;
      if (round++ === 0) await createKey({ name: 'k5' }, projectId);
    } while (cursor);
    expect(seen).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5']);
    await expectProblem(await adminCall('GET', `/projects/${projectId}/keys?limit=101`), 'validation-failed', 400);
    await expectProblem(await adminCall('GET', `/projects/${projectId}/keys?cursor=bogus`), 'validation-failed', 400);
  });

  it('filters keys by status', async () => {
    const projectId = await createProject();
    const a = await createKey({ name: 'a' }, projectId);
    const b = await createKey({ name: 'b' }, projectId);
    await createKey({ name: 'c' }, projectId);
    await adminJson('POST', `/keys/${a.id}/revoke`);
    await adminJson('PATCH', `/keys/${b.id}`, { enabled: false });
    const names = async (status: string) =>
      (await adminJson<{ items: { name: string }[] }>('GET', `/projects/${projectId}/keys?status=${status}`)).items.map((k) => k.name);
    expect(await names('revoked')).toEqual(['a']);
    expect(await names('disabled')).toEqual(['b']);
    expect(await names('active')).toEqual(['c']);
    await expectProblem(await adminCall('GET', `/projects/${projectId}/keys?status=bogus`), 'validation-failed', 400);
  });

  it('validates input with field errors', async () => {
    const projectId = await createProject();
    const cases: [unknown, string][] = [
      [{ scopes: ['forms:read'] }, 'name'],
      [{ name: 'x', scopes: ['forms'] }, 'scopes.0'],
      [{ name: 'x', scopes: [], environment: 'prod' }, 'environment'],
      [{ name: 'x', scopes: [], expiresAt: '2001-01-01T00:00:00Z' }, 'expiresAt'],
      [{ name: 'x', scopes: [], expiresAt: 'tomorrow' }, 'expiresAt'],
      [{ name: 'x', scopes: [], ipAllowlist: ['300.1.1.1/8'] }, 'ipAllowlist.0'],
      [{ name: 'x', scopes: [], metadata: { a: 1 } }, 'metadata.a'],
    ];
    for (const [body, path] of cases) {
      const problem = await expectProblem(await adminCall('POST', `/projects/${projectId}/keys`, body), 'validation-failed', 400);
      expect(
        (problem.errors as { path: string }[]).map((e) => e.path),
        JSON.stringify(body),
      ).toContain(path);
    }
  });

  it('refuses fields that may not be set (mass assignment)', async () => {
    const key = await createKey();
    for (const field of ['id', 'hash', 'projectId', 'createdAt', 'usage', 'status', 'key']) {
      const problem = await expectProblem(await adminCall('PATCH', `/keys/${key.id}`, { [field]: 'x' }), 'validation-failed', 400);
      expect(problem.errors).toContainEqual({ path: field, message: 'not a field of this request' });
    }
    await expectProblem(await adminCall('POST', '/projects', { name: 'p', id: 'prj_mine' }), 'validation-failed', 400);
    expect(await adminJson('GET', `/keys/${key.id}`)).toMatchObject({ id: key.id, projectId: key.projectId, status: 'active' });
  });

  it('answers 404 for unknown ids and 400/413/415 for unusable bodies', async () => {
    await expectProblem(await adminCall('GET', '/projects/prj_nope'), 'not-found', 404);
    await expectProblem(await adminCall('GET', '/keys/key_nope'), 'not-found', 404);
    await expectProblem(await adminCall('PATCH', '/keys/key_nope', { enabled: false }), 'not-found', 404);
    await expectProblem(await adminCall('POST', '/keys/key_nope/revoke'), 'not-found', 404);
    await expectProblem(await adminCall('POST', '/projects/prj_nope/keys', { name: 'x', scopes: [] }), 'not-found', 404);
    await expectProblem(await adminCall('GET', '/projects/prj_nope/keys'), 'not-found', 404);
    await expectProblem(await adminCall('GET', '/nothing-here'), 'not-found', 404);
    const auth = { authorization: 'Bearer test-admin-token-0123456789abcdef' };
    await expectProblem(
      await gateway('/_keygate/v1/projects', { method: 'POST', headers: { ...auth, 'content-type': 'text/plain' }, body: 'name=x' }),
      'unsupported-media-type',
      415,
    );
    await expectProblem(
      await gateway('/_keygate/v1/projects', {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: '{"name":',
      }),
      'validation-failed',
      400,
    );
    const huge = JSON.stringify({ name: 'x', description: 'y'.repeat(70_000) });
    await expectProblem(
      await gateway('/_keygate/v1/projects', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: huge }),
      'payload-too-large',
      413,
    );
  });

  it('PATCH changes take effect on the next call in this location', async () => {
    const key = await createKey({ scopes: ['forms:read'] });
    const tag = newTag();
    await expectProblem(await gateway('/forms', { method: 'POST', body: '{}', ...withKey(key.key, tag) }), 'insufficient-scope', 403);
    expect(await adminJson('PATCH', `/keys/${key.id}`, { scopes: ['forms:read', 'forms:write'], name: 'writer' })).toMatchObject({
      scopes: ['forms:read', 'forms:write'],
      name: 'writer',
    });
    expect((await gateway('/forms', { method: 'POST', body: '{}', ...withKey(key.key, tag) })).status).toBe(200);
    await adminJson('PATCH', `/keys/${key.id}`, { ipAllowlist: ['192.0.2.0/24'] });
    await expectProblem(await gateway('/forms', withKey(key.key, tag, { 'cf-connecting-ip': '198.51.100.1' })), 'ip-not-allowed', 403);
    await adminJson('PATCH', `/keys/${key.id}`, { ipAllowlist: [] });
    expect((await gateway('/forms', withKey(key.key, tag, { 'cf-connecting-ip': '198.51.100.1' }))).status).toBe(200);
  });

  it('is never open to other origins (no CORS), even when the data plane allows one', async () => {
    const res = await adminCall('GET', '/projects', undefined, { CORS_ALLOWED_ORIGINS: 'https://app.example' });
    expect(res.status).toBe(200);
    const withOrigin = await gateway(
      '/_keygate/v1/projects',
      { headers: { origin: 'https://app.example', authorization: 'Bearer test-admin-token-0123456789abcdef' } },
      { CORS_ALLOWED_ORIGINS: 'https://app.example' },
    );
    expect(withOrigin.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await gateway(
      '/_keygate/v1/projects',
      { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } },
      { CORS_ALLOWED_ORIGINS: 'https://app.example' },
    );
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.status).toBe(401);
  });

  it('never proxies /_keygate paths', async () => {
    const tag = newTag();
    const key = await createKey();
    await expectProblem(await gateway('/_keygate/other', withKey(key.key, tag)), 'not-found', 404);
    await expectProblem(await gateway('/_keygate/', withKey(key.key, tag)), 'not-found', 404);
  });
});
