// The shared security matrix (conventions §7): every route rule of the shipped configuration and
// every admin route, attacked the same way. Routes are read from the live config and the app's
// router, so a new route is covered without editing this file.

import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { adminJson, createKey, type CreatedKey } from './helpers/admin';
import { ADMIN_TOKEN, expectNoOriginCall, expectProblem, gateway, newTag, originCalls, withKey } from './helpers/gateway';
import { parseRoutes, type RouteRule } from '../src/core/route-rules';
import { generateKey } from '../src/core/key-format';
import { app } from '../src/app';

const rules = parseRoutes(env.ROUTES) as RouteRule[];

function concretePath(pattern: string): string {
  return pattern.replace(/:[A-Za-z_]\w*/g, 'x1').replace(/\/\*$/, '/sub/path');
}

function methodOf(rule: RouteRule): string {
  return rule.methods === 'any' ? 'GET' : ([...rule.methods][0] as string);
}

describe('security matrix over every route rule', () => {
  const keys: Record<string, CreatedKey> = {};
  beforeAll(async () => {
    const allScopes = [...new Set(rules.flatMap((r) => r.scopes))];
    keys.full = await createKey({ scopes: allScopes.length ? allScopes : ['none:none'] });
    keys.none = await createKey({ scopes: ['unrelated:read'] });
    keys.revoked = await createKey({ scopes: allScopes });
    await adminJson('POST', `/keys/${keys.revoked.id}/revoke`);
    keys.expired = await createKey({ scopes: allScopes, expiresAt: new Date(Date.now() + 1000).toISOString() });
    await new Promise((r) => setTimeout(r, 1100));
  });

  it('has rules to test', () => expect(rules.length).toBeGreaterThan(0));

  for (const rule of rules) {
    const path = concretePath(rule.pattern);
    const method = methodOf(rule);
    const body = method === 'GET' || method === 'HEAD' ? undefined : '{}';
    const call = (headers: Record<string, string>, url = path) => gateway(url, { method, body, headers });

    // A GET rule is attacked again as a WebSocket upgrade: an upgrade takes the same steps (README "WebSockets").
    const variants: Record<string, string>[] = method === 'GET' ? [{}, { upgrade: 'websocket' }] : [{}];
    it(`${method} ${rule.pattern}: refuses every bad credential and trick without calling the origin${method === 'GET' ? ', as a WebSocket upgrade too' : ''}`, async () => {
      for (const variant of variants) await refusesAll(variant);
    });

    const refusesAll = async (variant: Record<string, string>) => {
      const tag = newTag();
      const t = { 'x-test-tag': tag, ...variant };
      await expectProblem(await call(t), 'missing-api-key', 401);
      await expectProblem(await call({ ...t, authorization: `Basic ${btoa('a:b')}` }), 'malformed-credentials', 400);
      await expectProblem(await call({ ...t, authorization: 'Bearer kg_live_nope' }), 'invalid-api-key', 401);
      await expectProblem(await call({ ...t, authorization: `Bearer ${generateKey('kg', 'live')}` }), 'invalid-api-key', 401);
      await expectProblem(await call({ ...t, authorization: `Bearer ${keys.revoked!.key}` }), 'invalid-api-key', 401);
      await expectProblem(await call({ ...t, authorization: `Bearer ${keys.expired!.key}` }), 'invalid-api-key', 401);
      if (rule.scopes.length > 0)
        await expectProblem(await call({ ...t, authorization: `Bearer ${keys.none!.key}` }), 'insufficient-scope', 403);
      const victim = await createKey({ scopes: rule.scopes.length ? [...rule.scopes] : ['none:none'] }); // http exposes (revokes) it
      await expectProblem(
        await call({ ...t, authorization: `Bearer ${victim.key}` }, `http://api.example.com${path}`),
        'https-required',
        403,
      );
      await expectProblem(
        await call({ ...t, authorization: `Bearer ${keys.full!.key}` }, `${path}/..%2f..%2fx`),
        'non-canonical-path',
        400,
      );
      await expectProblem(await call({ ...t, authorization: `Bearer ${keys.full!.key}` }, `/${path}`), 'non-canonical-path', 400);
      for (const trick of ['/..;/x', ';x', '/%c0%ae%c0%ae/x', '/%u002e%u002e/x', '/%ef%bc%8e%ef%bc%8e/x', '/%252e%252e/x', '%255cx']) {
        const res = await call({ ...t, authorization: `Bearer ${keys.full!.key}` }, `${path}${trick}`);
        await expectProblem(res, 'non-canonical-path', 400);
      }
      await expectNoOriginCall(tag);
    };

    it(`${method} ${rule.pattern}: admits a key with the rule's scopes`, async () => {
      const tag = newTag();
      const res = await call({ 'x-test-tag': tag, authorization: `Bearer ${keys.full!.key}` });
      expect(res.status).toBe(200);
      expect(await originCalls(tag)).toHaveLength(1);
    });
  }
});

/** The verifiers under /_keygate/v1 (src/verify/http.ts), as app.routes names them. */
const VERIFIERS = ['/_keygate/v1/verify', '/_keygate/v1/ext-authz/*'];

describe('security matrix over every admin route', () => {
  // The verifiers have their own credential and matrix (below).
  const adminRoutes = app.routes.filter((r) => r.path.startsWith('/_keygate/v1/') && r.method !== 'ALL' && !VERIFIERS.includes(r.path));
  let dataKey: CreatedKey;
  beforeAll(async () => {
    dataKey = await createKey();
  });

  it('covers the admin routes', () => expect(adminRoutes.length).toBeGreaterThanOrEqual(8));

  for (const route of adminRoutes) {
    const path = route.path.replace(/:projectId/g, 'prj_x').replace(/:keyId/g, 'key_x');
    const send = (authorization: string | undefined, overrides = {}) =>
      gateway(
        path,
        {
          method: route.method,
          headers: authorization ? { authorization, 'content-type': 'application/json' } : {},
          body: route.method === 'GET' ? undefined : '{}',
        },
        overrides,
      );

    it(`${route.method} ${route.path}: no token, a wrong token or a data-plane key ⇒ 401; no ADMIN_TOKEN ⇒ 503`, async () => {
      await expectProblem(await send(undefined), 'unauthorized', 401);
      await expectProblem(await send('Bearer wrong-token-wrong-token'), 'unauthorized', 401);
      await expectProblem(await send(`Bearer ${ADMIN_TOKEN}x`), 'unauthorized', 401);
      await expectProblem(await send(`Basic ${btoa(`admin:${ADMIN_TOKEN}`)}`), 'unauthorized', 401);
      await expectProblem(await send(`Bearer ${dataKey.key}`), 'unauthorized', 401);
      await expectProblem(await send(`Bearer ${ADMIN_TOKEN}`, { ADMIN_TOKEN: undefined }), 'admin-disabled', 503);
      await expectProblem(await send(`Bearer short`, { ADMIN_TOKEN: 'short' }), 'admin-disabled', 503);
      const ok = await send(`Bearer ${ADMIN_TOKEN}`);
      expect([200, 201, 400, 404]).toContain(ok.status);
      expect(ok.headers.get('cache-control')).toBe('no-store');
    });
  }
});

describe('security matrix over the verifiers (their credential is a verify token, never the admin token)', () => {
  it('the verifier routes exist as named', () => {
    for (const path of VERIFIERS) expect(app.routes.some((r) => r.path === path)).toBe(true);
  });

  for (const path of VERIFIERS) {
    const url = path.replace('*', 'forms/1');
    const header = path.includes('ext-authz') ? 'keygate-verify-token' : 'authorization';
    const send = (token: string | undefined) =>
      gateway(url, {
        method: 'POST',
        headers: token === undefined ? { 'content-type': 'application/json' } : { [header]: token, 'content-type': 'application/json' },
        body: JSON.stringify({ key: '', path: '/forms/1' }),
      });
    const bearer = (token: string) => (header === 'authorization' ? `Bearer ${token}` : token);

    it(`${path}: no token, a wrong one, the admin token or a data-plane key ⇒ 401 invalid-verify-token`, async () => {
      const dataKey = await createKey();
      for (const token of [
        undefined,
        bearer('kgvt_wrong'),
        bearer(ADMIN_TOKEN),
        bearer(dataKey.key),
        `Basic ${btoa(`admin:${ADMIN_TOKEN}`)}`,
      ]) {
        await expectProblem(await send(token), 'invalid-verify-token', 401);
      }
    });
  }
});
