// Checklist D (scopes and authorization), route rules, and configuration that fails closed.

import { describe, expect, it } from 'vitest';
import { createKey } from './helpers/admin';
import { expectNoOriginCall, expectProblem, gateway, newTag, originCalls, withKey } from './helpers/gateway';
import { generateKey } from '../src/core/key-format';

const ORDERS = JSON.stringify([
  { method: ['GET', 'HEAD'], path: '/v1/orders/:id', scopes: ['orders:read'] },
  { method: 'POST', path: '/v1/orders', scopes: ['orders:write'] },
  { method: 'DELETE', path: '/v1/orders/:id', scopes: ['orders:delete'] },
  { method: '*', path: '/v1/admin/*', scopes: ['admin:all'] },
  { method: 'GET', path: '/v1/public', scopes: [] },
]);
const routes = { ROUTES: ORDERS };

describe('D. scopes and authorization', () => {
  it('D26: a missing scope ⇒ 403 naming it in the body and in WWW-Authenticate; no origin call', async () => {
    const key = await createKey({ scopes: ['orders:read'] });
    const tag = newTag();
    const res = await gateway('/v1/orders', { method: 'POST', ...withKey(key.key, tag) }, routes);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="keygate", error="insufficient_scope", scope="orders:write"');
    const body = await expectProblem(res, 'insufficient-scope', 403);
    expect(body.scope).toBe('orders:write');
    expect(body.detail).toContain('orders:write');
    await expectNoOriginCall(tag);
  });

  it('D27: exactly the scope, or its resource wildcard, is enough; a lookalike resource is not', async () => {
    const exact = await createKey({ scopes: ['orders:read'] });
    const wildcard = await createKey({ scopes: ['orders:*'] });
    const lookalike = await createKey({ scopes: ['ordersx:read', 'order:read'] });
    const tag = newTag();
    expect((await gateway('/v1/orders/1', withKey(exact.key, tag), routes)).status).toBe(200);
    expect((await gateway('/v1/orders/1', withKey(wildcard.key, tag), routes)).status).toBe(200);
    expect((await gateway('/v1/orders', { method: 'POST', ...withKey(wildcard.key, tag) }, routes)).status).toBe(200);
    await expectProblem(await gateway('/v1/orders/1', withKey(lookalike.key, tag), routes), 'insufficient-scope', 403);
    expect(await originCalls(tag)).toHaveLength(3);
  });

  it('D28: an explicit deny overrides any allow', async () => {
    const key = await createKey({ scopes: ['orders:*', '!orders:delete'] });
    const tag = newTag();
    expect((await gateway('/v1/orders/1', withKey(key.key, tag), routes)).status).toBe(200);
    await expectProblem(await gateway('/v1/orders/1', { method: 'DELETE', ...withKey(key.key, tag) }, routes), 'insufficient-scope', 403);
    expect(await originCalls(tag)).toHaveLength(1);
  });

  it('D29: orders:read allows GET and HEAD, not POST; TRACE/CONNECT-like methods ⇒ 405 with Allow', async () => {
    const key = await createKey({ scopes: ['orders:read'] });
    const tag = newTag();
    expect((await gateway('/v1/orders/1', withKey(key.key, tag), routes)).status).toBe(200);
    const head = await gateway('/v1/orders/1', { method: 'HEAD', ...withKey(key.key, tag) }, routes);
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    await expectProblem(await gateway('/v1/orders', { method: 'POST', ...withKey(key.key, tag) }, routes), 'insufficient-scope', 403);
    for (const method of ['TRACE', 'PROPFIND', 'MKCOL']) {
      const res = await gateway('/v1/orders/1', { method, ...withKey(key.key, tag) }, routes);
      expect(res.headers.get('allow')).toBe('GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS');
      await expectProblem(res, 'method-not-allowed', 405);
    }
    expect(await originCalls(tag)).toHaveLength(2);
  });

  it('D30: path tricks are refused before any decision, or authorized on the path that is forwarded', async () => {
    const key = await createKey({ scopes: ['orders:read'] });
    const tag = newTag();
    for (const path of [
      '//v1/admin/x',
      '/v1/orders%2Fadmin',
      '/v1/orders/%2e%2e%2fadmin',
      '/v1/orders/1%2F..%2Fadmin',
      '/v1/orders/%5c..%5cadmin',
      '/v1//admin/x',
    ]) {
      await expectProblem(await gateway(path, withKey(key.key, tag), routes), 'non-canonical-path', 400);
    }
    // The URL parser resolves plain and %2e dot segments before keygate sees them; the rule is
    // then checked against the resolved path, which is exactly the path forwarded.
    await expectProblem(await gateway('/v1/orders/../admin/x', withKey(key.key, tag), routes), 'insufficient-scope', 403);
    await expectProblem(await gateway('/v1/orders/%2e%2e/admin/x', withKey(key.key, tag), routes), 'insufficient-scope', 403);
    await expectProblem(await gateway('/V1/Admin/x', withKey(key.key, tag), routes), 'route-not-found', 404);
    await expectNoOriginCall(tag);
    expect((await gateway('/v1/x/../orders/5', withKey(key.key, tag), routes)).status).toBe(200);
    expect((await originCalls(tag))[0]?.url).toBe('/v1/orders/5');
  });

  it('a request no rule matches ⇒ 404 route-not-found, no origin call; rules with no scopes need only a valid key', async () => {
    const key = await createKey({ scopes: [] });
    const tag = newTag();
    await expectProblem(await gateway('/v1/unknown', withKey(key.key, tag), routes), 'route-not-found', 404);
    expect((await gateway('/v1/public', withKey(key.key, tag), routes)).status).toBe(200);
    await expectProblem(await gateway('/v1/public', { headers: { 'x-test-tag': tag } }, routes), 'missing-api-key', 401);
    expect(await originCalls(tag)).toHaveLength(1);
  });

  it('without ROUTES any valid key may call any path', async () => {
    const key = await createKey({ scopes: [] });
    const tag = newTag();
    expect((await gateway('/anything/at/all', withKey(key.key, tag), { ROUTES: undefined })).status).toBe(200);
  });

  it('invalid configuration fails closed with a clear error at the first request', async () => {
    const key = await createKey();
    const tag = newTag();
    for (const overrides of [
      { ROUTES: '[{"path":"nope"}]' },
      { ROUTES: '{' },
      { ORIGIN_URL: 'http://origin.example' },
      // The tests' own loopback origin, outside local development: a deployed keygate refuses it.
      { LOCAL_DEV: undefined },
      { LOCAL_DEV: undefined, ALLOW_HTTP_ORIGIN: 'true' },
      { EXPOSED_KEY_POLICY: 'maybe' },
      { KEY_PREFIX: 'K!' },
      { ORIGIN_BODY_IDLE_TIMEOUT_MS: '-1' },
      { ORIGIN_BODY_IDLE_TIMEOUT_MS: '3600001' },
    ]) {
      const body = await expectProblem(await gateway('/forms/1', withKey(key.key, tag), overrides), 'misconfigured', 500);
      expect(body.detail).toMatch(/ROUTES|ORIGIN_URL|EXPOSED_KEY_POLICY|KEY_PREFIX|ORIGIN_BODY_IDLE_TIMEOUT_MS/);
    }
    await expectNoOriginCall(tag);
  });

  it('a loopback ORIGIN_URL outside local development (no LOCAL_DEV) is refused, naming the fix, before any call reaches it', async () => {
    const key = await createKey();
    const tag = newTag();
    const body = await expectProblem(await gateway('/forms/1', withKey(key.key, tag), { LOCAL_DEV: undefined }), 'misconfigured', 500);
    expect(body.detail).toMatch(/^ORIGIN_URL is a loopback address, which reaches nothing once deployed: set it to your API's https URL/);
    expect(body.detail).not.toContain('127.0.0.1'); // the problem body never shows the origin's address
    expect(await originCalls(tag)).toHaveLength(0);
    // The same call in local development (the tests' LOCAL_DEV) reaches the origin.
    expect((await gateway('/forms/1', withKey(key.key, tag))).status).toBe(200);
    expect(await originCalls(tag)).toHaveLength(1);
  });

  it('D32: failed authentications from one address are limited (429 before any lookup); other addresses and keys are unaffected', async () => {
    const good = await createKey();
    const tag = newTag();
    const limit = { AUTH_FAILURE_LIMIT: '5' };
    const attacker = { 'cf-connecting-ip': '192.0.2.99' };
    for (let i = 0; i < 5; i++)
      await expectProblem(await gateway('/forms/1', withKey(generateKey('kg', 'live'), tag, attacker), limit), 'invalid-api-key', 401);
    const blocked = await gateway('/forms/1', withKey(generateKey('kg', 'live'), tag, attacker), limit);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await expectProblem(blocked, 'too-many-failures', 429);
    expect((await gateway('/forms/1', withKey(good.key, tag, { 'cf-connecting-ip': '192.0.2.100' }), limit)).status).toBe(200);
    expect(await originCalls(tag)).toHaveLength(1);
  });
});
