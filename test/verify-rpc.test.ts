// The RPC verifier (issue 17): a second Worker binds KeygateVerifier with a service binding and gets
// the data plane's decision — format, record, status, IP, route rule and scopes, limits — with the
// same reason names as the problem types, and never an exception for a refusal.

import { describe, expect, it } from 'vitest';
import { adminJson, createKey, createProject } from './helpers/admin';
import { newTag } from './helpers/gateway';
import { createVerifyToken, verifyByHttp, verifyByRpc } from './helpers/verify';
import { REFUSED } from './helpers/path-tricks';

describe('KeygateVerifier over a service binding', () => {
  it('a valid key with the scope the route needs: valid, with its identity and scopes', async () => {
    const key = await createKey({ scopes: ['forms:read'] });
    const result = await verifyByRpc({ key: key.key, method: 'GET', path: '/forms/1', clientIp: '203.0.113.9' });
    expect(result).toMatchObject({
      valid: true,
      code: 'allowed',
      keyId: key.id,
      projectId: key.projectId,
      environment: 'live',
      scopes: ['forms:read'],
      ratelimit: null,
      refusal: null,
    });
    expect(result.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("a customer's key: RPC and HTTP return the customer's id and external id; a key of none returns neither", async () => {
    const project = await createProject();
    const externalId = `acct-${newTag()}`;
    const customer = await adminJson<{ id: string }>('POST', `/projects/${project}/customers`, { name: 'Clinic', externalId }, 201);
    const key = await createKey({ customerId: customer.id }, project);
    const rpc = await verifyByRpc({ key: key.key, path: '/forms/1' });
    expect(rpc).toMatchObject({ valid: true, keyId: key.id, customerId: customer.id, externalId });
    const { token } = await createVerifyToken(project);
    const http = await verifyByHttp(token, { key: key.key, path: '/forms/1' });
    expect(http.status).toBe(200);
    expect(await http.json()).toMatchObject({ valid: true, keyId: key.id, customerId: customer.id, externalId });
    const alone = await verifyByRpc({ key: (await createKey({}, project)).key, path: '/forms/1' });
    expect(alone.valid).toBe(true);
    expect(alone).not.toHaveProperty('customerId');
    expect(alone).not.toHaveProperty('externalId');
  });

  it('refusals are values with the problem type as code, and the refusal the data plane would answer', async () => {
    const key = await createKey({ scopes: ['forms:read'] });
    const scope = await verifyByRpc({ key: key.key, method: 'POST', path: '/forms' });
    expect(scope).toMatchObject({ valid: false, code: 'insufficient-scope', keyId: key.id });
    expect(scope.refusal?.status).toBe(403);
    expect(scope.refusal?.problem).toMatchObject({ type: '/_keygate/problems/insufficient-scope', scope: 'forms:write' });
    expect(scope.refusal?.headers['www-authenticate']).toContain('insufficient_scope');
    expect(Object.keys(scope.refusal?.headers ?? {}), 'the decision’s headers, not the wire’s').toEqual(['www-authenticate']);

    const route = await verifyByRpc({ key: key.key, method: 'GET', path: '/nowhere' });
    expect(route).toMatchObject({ valid: false, code: 'route-not-found' });

    const unknown = await verifyByRpc({ key: 'kg_live_' + 'a'.repeat(38), path: '/forms/1' });
    expect(unknown).toMatchObject({ valid: false, code: 'invalid-api-key', keyId: null, projectId: null, scopes: [] });
    expect(unknown.refusal?.status).toBe(401);

    expect(await verifyByRpc({ key: '', path: '/forms/1' })).toMatchObject({ valid: false, code: 'missing-api-key' });
    expect(await verifyByRpc({ key: 'a b', path: '/forms/1' })).toMatchObject({ valid: false, code: 'malformed-credentials' });
    expect(await verifyByRpc({ key: key.key, path: '/forms/../admin' })).toMatchObject({ valid: false, code: 'non-canonical-path' });
    expect(await verifyByRpc({ key: key.key, path: '/forms/%2e%2e/admin' })).toMatchObject({ valid: false, code: 'non-canonical-path' });
    expect(await verifyByRpc({ key: key.key, path: `/forms/${key.key}` })).toMatchObject({ valid: false, code: 'api-key-in-url' });
  });

  it('every non-canonical spelling of the path table is refused as the data plane refuses it (or is not a path as sent)', async () => {
    const key = await createKey({ scopes: ['forms:*'] });
    for (const [path] of REFUSED) {
      const { code } = await verifyByRpc({ key: key.key, path });
      expect(/^\/[\x21\x22\x24-\x7e]*$/.test(path) ? ['non-canonical-path'] : ['validation-failed'], path).toContain(code);
    }
  });

  it('a revoked key is the same invalid-api-key as an unknown one, with no key id', async () => {
    const key = await createKey();
    expect((await verifyByRpc({ key: key.key, path: '/forms/1' })).valid).toBe(true);
    await adminJson('POST', `/keys/${key.id}/revoke`);
    const revoked = await verifyByRpc({ key: key.key, path: '/forms/1' });
    const unknown = await verifyByRpc({ key: 'kg_live_' + 'b'.repeat(38), path: '/forms/1' });
    expect(revoked).toMatchObject({ valid: false, code: 'invalid-api-key', keyId: null });
    expect({ ...revoked.refusal?.problem, requestId: '' }).toEqual({ ...unknown.refusal?.problem, requestId: '' });
  });

  it('checks the IP allowlist against the clientIp given', async () => {
    const key = await createKey({ ipAllowlist: ['198.51.100.0/24'] });
    expect((await verifyByRpc({ key: key.key, path: '/forms/1', clientIp: '198.51.100.7' })).valid).toBe(true);
    expect(await verifyByRpc({ key: key.key, path: '/forms/1', clientIp: '203.0.113.7' })).toMatchObject({
      valid: false,
      code: 'ip-not-allowed',
    });
    expect(await verifyByRpc({ key: key.key, path: '/forms/1' })).toMatchObject({ valid: false, code: 'ip-not-allowed' });
  });

  it('spends the key’s limits like a proxied call, and reports them; a 429 carries retryAfter', async () => {
    const key = await createKey({ rateLimits: [{ name: 'burst', limit: 2, windowSeconds: 60 }] });
    const first = await verifyByRpc({ key: key.key, path: '/forms/1' });
    expect(first.ratelimit?.policies).toEqual([expect.objectContaining({ policy: 'burst', limit: 2, remaining: 1 })]);
    expect((await verifyByRpc({ key: key.key, path: '/forms/1' })).valid).toBe(true);
    const third = await verifyByRpc({ key: key.key, path: '/forms/1' });
    expect(third).toMatchObject({ valid: false, code: 'rate-limited', keyId: key.id });
    expect(third.ratelimit?.retryAfter).toBeGreaterThanOrEqual(1);
    expect(third.ratelimit?.policies).toEqual([expect.objectContaining({ policy: 'burst', remaining: 0 })]);
    expect(third.refusal?.headers['retry-after']).toBe(String(third.ratelimit?.retryAfter));
  });

  it('bad input is valid:false with validation-failed naming each field, never a throw', async () => {
    const bad = await verifyByRpc({ key: 'x', path: 'forms', method: 'G ET', clientIp: 'not-an-ip', extra: 1 });
    expect(bad).toMatchObject({ valid: false, code: 'validation-failed' });
    expect(bad.refusal?.status).toBe(400);
    const paths = (bad.refusal?.problem.errors as { path: string }[]).map((e) => e.path).sort();
    expect(paths).toEqual(['clientIp', 'extra', 'method', 'path']);
    expect(await verifyByRpc(null)).toMatchObject({ valid: false, code: 'validation-failed' });
    expect(await verifyByRpc({ key: 'x', path: '/forms/1', method: 'TRACE' })).toMatchObject({ valid: false, code: 'method-not-allowed' });
  });
});
