// Checklist A (transport): http is refused, never redirected; a key on it is exposed.

import { describe, expect, it } from 'vitest';
import { adminJson, createKey } from './helpers/admin';
import { expectNoOriginCall, expectProblem, gateway, newTag, originCalls, withKey } from './helpers/gateway';
import { generateKey } from '../src/core/key-format';

describe('A. transport', () => {
  it('A1: http with a valid key ⇒ 403 https-required, no redirect, no origin call; the key is exposed and revoked', async () => {
    const key = await createKey();
    const tag = newTag();
    const res = await gateway('http://api.example.com/forms/1', withKey(key.key, tag));
    const body = await expectProblem(res, 'https-required', 403);
    expect(body.detail).toMatch(/exposed/);
    await expectNoOriginCall(tag);
    const after = await adminJson('GET', `/keys/${key.id}`);
    expect(after).toMatchObject({ status: 'revoked', exposed: true, exposedReason: 'http' });
    const retry = await gateway('/forms/1', withKey(key.key, tag));
    await expectProblem(retry, 'invalid-api-key', 401);
    await expectNoOriginCall(tag);
  });

  it('A1: with EXPOSED_KEY_POLICY=flag the exposed key is flagged but keeps working', async () => {
    const key = await createKey();
    const tag = newTag();
    await expectProblem(
      await gateway('http://api.example.com/forms/1', withKey(key.key, tag), { EXPOSED_KEY_POLICY: 'flag' }),
      'https-required',
      403,
    );
    expect(await adminJson('GET', `/keys/${key.id}`)).toMatchObject({ status: 'active', exposed: true });
    expect((await gateway('/forms/1', withKey(key.key, tag), { EXPOSED_KEY_POLICY: 'flag' })).status).toBe(200);
  });

  it('A1: a key in the URL of an http request is exposed too', async () => {
    const key = await createKey();
    const tag = newTag();
    await expectProblem(
      await gateway(`http://api.example.com/forms?api_key=${key.key}`, { headers: { 'x-test-tag': tag } }),
      'https-required',
      403,
    );
    expect(await adminJson('GET', `/keys/${key.id}`)).toMatchObject({ status: 'revoked', exposed: true });
  });

  it('A2: http without a key ⇒ 403, not 301/308, no origin call', async () => {
    const tag = newTag();
    for (const method of ['GET', 'POST', 'DELETE']) {
      const res = await gateway('http://api.example.com/forms', { method, headers: { 'x-test-tag': tag } });
      await expectProblem(res, 'https-required', 403);
    }
    await expectNoOriginCall(tag);
  });

  it('A2: the admin API is https-only too', async () => {
    await expectProblem(await gateway('http://api.example.com/_keygate/v1/projects'), 'https-required', 403);
  });

  it('A3: every https response carries HSTS ≥ 1 year and one X-Request-Id; http responses never carry HSTS', async () => {
    const key = await createKey();
    const limited = await createKey({ rateLimits: [{ name: 'one', limit: 1, windowSeconds: 60 }] });
    await gateway('/forms/1', withKey(limited.key, newTag()));
    const responses = [
      await gateway('/forms/1', withKey(key.key, newTag())),
      await gateway('/forms/1'),
      await gateway('/forms/1', withKey(generateKey('kg', 'live'), newTag())), // unknown key: 401
      await gateway('/forms/1', withKey(limited.key, newTag())), // 429 from the limiter
      await gateway('/forms/1', withKey(limited.key, newTag())), // 429 from memory
      await gateway('/_keygate/v1/projects'),
    ];
    expect(responses.map((res) => res.status)).toEqual([200, 401, 401, 429, 429, 401]);
    for (const res of responses) {
      const hsts = res.headers.get('strict-transport-security') ?? '';
      expect(Number(/max-age=(\d+)/.exec(hsts)?.[1])).toBeGreaterThanOrEqual(31_536_000);
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
    // A response of the data plane that no step built (a fault: here an invalid ROUTES) is stamped too.
    const fault = await gateway('/forms/1', withKey(key.key, newTag()), { ROUTES: '[{' });
    expect(fault.status).toBe(500);
    expect(fault.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(fault.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const plain = await gateway('http://api.example.com/forms/1');
    expect(plain.headers.get('strict-transport-security')).toBeNull();
  });

  it('A4: responses keygate generates are no-store, JSON and nosniff', async () => {
    // expectProblem asserts Cache-Control: no-store, problem+json and nosniff on each.
    await expectProblem(await gateway('/forms/1'), 'missing-api-key', 401);
    await expectProblem(await gateway('/forms/1', { headers: { authorization: 'Basic eDp5' } }), 'malformed-credentials', 400);
    await expectProblem(await gateway('/_keygate/v1/projects'), 'unauthorized', 401);
    const admin = await gateway('/_keygate/v1/projects', { headers: { authorization: 'Bearer test-admin-token-0123456789abcdef' } });
    expect(admin.status).toBe(200);
    expect(admin.headers.get('cache-control')).toBe('no-store');
    expect(admin.headers.get('content-type')).toMatch(/^application\/json/);
    expect(admin.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await originCalls('untagged')).toEqual([]);
  });
});
