// keygate/hono (issue 17): a small Hono app on Workers (the verify-client Worker of vitest.config.ts)
// behind keygateAuth(), which asks the KeygateVerifier binding for the data plane's decision. On
// allow the handler runs with the outcome in c.get('keygate'); on deny the app answers keygate's
// refusal (status, headers, problem+json) and the handler never runs.

import { describe, expect, it } from 'vitest';
import { adminJson, createKey } from './helpers/admin';
import { honoApp } from './helpers/verify';

async function expectRefusal(res: Response, type: string, status: number): Promise<Record<string, unknown>> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(res.headers.get('cache-control')).toBe('no-store');
  const body = (await res.json()) as Record<string, unknown>;
  expect(body.type).toBe(`/_keygate/problems/${type}`);
  expect(body.servedBy, 'the handler did not run').toBeUndefined();
  return body;
}

describe('keygate/hono middleware', () => {
  it('a valid key: the handler runs, with the outcome in the context', async () => {
    const key = await createKey({ scopes: ['forms:read'] });
    const res = await honoApp('/forms/1', { headers: { authorization: `Bearer ${key.key}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { servedBy: string; keygate: Record<string, unknown> };
    expect(body.servedBy).toBe('hono-app');
    expect(body.keygate).toMatchObject({ valid: true, code: 'allowed', keyId: key.id, projectId: key.projectId, scopes: ['forms:read'] });
  });

  it('X-API-Key is read too', async () => {
    const key = await createKey({ scopes: ['forms:read'] });
    expect((await honoApp('/forms/1', { headers: { 'x-api-key': key.key } })).status).toBe(200);
  });

  it('no key, a malformed header, a missing scope, a revoked key: keygate’s refusal, the handler never runs', async () => {
    const missing = await honoApp('/forms/1');
    await expectRefusal(missing, 'missing-api-key', 401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="keygate"');

    await expectRefusal(await honoApp('/forms/1', { headers: { authorization: 'Basic dXNlcjpwYXNz' } }), 'malformed-credentials', 400);

    const key = await createKey({ scopes: ['forms:read'] });
    const scope = await honoApp('/forms', { method: 'POST', headers: { authorization: `Bearer ${key.key}` } });
    expect((await expectRefusal(scope, 'insufficient-scope', 403)).scope).toBe('forms:write');
    expect(scope.headers.get('www-authenticate')).toContain('scope="forms:write"');

    await adminJson('POST', `/keys/${key.id}/revoke`);
    await expectRefusal(await honoApp('/forms/1', { headers: { authorization: `Bearer ${key.key}` } }), 'invalid-api-key', 401);
  });

  it('a 429 carries Retry-After and the RateLimit fields', async () => {
    const key = await createKey({ rateLimits: [{ name: 'burst', limit: 1, windowSeconds: 60 }] });
    const headers = { authorization: `Bearer ${key.key}` };
    expect((await honoApp('/forms/1', { headers })).status).toBe(200);
    const limited = await honoApp('/forms/1', { headers });
    await expectRefusal(limited, 'rate-limited', 429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get('ratelimit-policy')).toBe('"burst";q=1;w=60');
  });
});
