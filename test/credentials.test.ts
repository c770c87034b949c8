// Checklist B (credential extraction and format).

import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:test';
import { createKey } from './helpers/admin';
import { expectNoOriginCall, expectProblem, gateway, newTag, originCalls, withKey } from './helpers/gateway';
import { countingKv } from './helpers/kv';
import { generateKey } from '../src/core/key-format';

const unknownKey = () => generateKey('kg', 'live');
const bodyWithoutId = async (res: Response) => {
  const { requestId, ...rest } = (await res.json()) as Record<string, unknown>;
  expect(requestId).toBe(res.headers.get('x-request-id'));
  return JSON.stringify(rest);
};

describe('B. credentials', () => {
  it('B5: no credential ⇒ 401 missing-api-key with a Bearer challenge, no origin call', async () => {
    const tag = newTag();
    const res = await gateway('/forms/1', { headers: { 'x-test-tag': tag } });
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="keygate"');
    await expectProblem(res, 'missing-api-key', 401);
    await expectNoOriginCall(tag);
  });

  it('B6: an empty credential ⇒ 401 missing-api-key, not 500', async () => {
    for (const headers of [{ authorization: 'Bearer ' }, { authorization: 'Bearer' }, { 'x-api-key': '' }, { authorization: '' }] as Record<
      string,
      string
    >[]) {
      await expectProblem(await gateway('/forms/1', { headers }), 'missing-api-key', 401);
    }
  });

  it('B7: a malformed Authorization ⇒ 400 with error="invalid_request"', async () => {
    for (const authorization of ['Basic dXNlcjpwYXNz', 'Bearer a b', 'Token abc', 'Bearerabc']) {
      const res = await gateway('/forms/1', { headers: { authorization } });
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="keygate", error="invalid_request"');
      await expectProblem(res, 'malformed-credentials', 400);
    }
  });

  it('B8/C21: unknown, bad-checksum, revoked and disabled keys get the same 401 body with error="invalid_token"', async () => {
    const revoked = await createKey();
    const disabled = await createKey();
    const { adminJson } = await import('./helpers/admin');
    await adminJson('POST', `/keys/${revoked.id}/revoke`);
    await adminJson('PATCH', `/keys/${disabled.id}`, { enabled: false });
    const good = generateKey('kg', 'live');
    const badChecksum = good.slice(0, -1) + (good.endsWith('a') ? 'b' : 'a');
    const bodies = new Set<string>();
    for (const key of [unknownKey(), badChecksum, revoked.key, disabled.key, 'kg_live_short']) {
      const tag = newTag();
      const res = await gateway('/forms/1', withKey(key, tag));
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="keygate", error="invalid_token"');
      bodies.add(await bodyWithoutId(res));
      await expectNoOriginCall(tag);
    }
    expect(bodies.size).toBe(1);
  });

  it('B9: wrong prefix, wrong length or bad checksum ⇒ 401 without a KV read', async () => {
    const kv = countingKv(env.KEYS);
    const good = generateKey('kg', 'live');
    for (const key of [
      'zz' + good.slice(2),
      good + 'x',
      good.slice(0, -1) + (good.endsWith('a') ? 'b' : 'a'),
      good.replace('_live_', '_beta_'),
    ]) {
      await expectProblem(await gateway('/forms/1', withKey(key, newTag()), { KEYS: kv }), 'invalid-api-key', 401);
    }
    expect(kv.reads).toBe(0);
    await expectProblem(await gateway('/forms/1', withKey(unknownKey(), newTag()), { KEYS: kv }), 'invalid-api-key', 401);
    expect(kv.reads).toBe(1);
  });

  it('B10: oversized and non-ASCII credentials are refused quickly, unhashed, never 500', async () => {
    const kv = countingKv(env.KEYS);
    await expectProblem(await gateway('/forms/1', withKey('k'.repeat(4096), newTag()), { KEYS: kv }), 'invalid-api-key', 401);
    await expectProblem(
      await gateway('/forms/1', { headers: { 'x-api-key': 'kg_live_\u00e9\u00e9' } }, { KEYS: kv }),
      'malformed-credentials',
      400,
    );
    await expectProblem(
      await gateway('/forms/1', { headers: { 'x-api-key': 'kg_live_\u0001abc' } }, { KEYS: kv }),
      'malformed-credentials',
      400,
    );
    expect(kv.reads).toBe(0);
  });

  it('B11: a key in the query string ⇒ 400 api-key-in-url, the key is exposed, the origin never called', async () => {
    const key = await createKey();
    const tag = newTag();
    for (const param of ['api_key', 'apikey']) {
      const res = await gateway(`/forms?${param}=${key.key}`, { headers: { 'x-test-tag': tag } });
      await expectProblem(res, 'api-key-in-url', 400);
    }
    await expectProblem(await gateway('/forms?apikey=not-even-a-key', { headers: { 'x-test-tag': tag } }), 'api-key-in-url', 400);
    await expectNoOriginCall(tag);
    const { adminJson } = await import('./helpers/admin');
    expect(await adminJson('GET', `/keys/${key.id}`)).toMatchObject({ exposed: true, exposedReason: 'url', status: 'revoked' });
  });

  it('B11: a key escaped in the URL (percent, double, mixed case, fullwidth; path, query or fragment) ⇒ 400 api-key-in-url and exposed', async () => {
    const escapeAll = (text: string) => [...text].map((ch) => '%' + ch.charCodeAt(0).toString(16).padStart(2, '0')).join('');
    const fullwidth = (text: string) => encodeURIComponent([...text].map((ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)).join(''));
    const spellings: [string, (key: string) => string][] = [
      ['query, "_" escaped', (key) => `/forms?q=${key.replace(/_/g, '%5F')}`],
      ['query, every character escaped', (key) => `/forms?q=${escapeAll(key)}`],
      ['query, double-encoded', (key) => `/forms?q=${key.replace(/_/g, '%255F')}`],
      ['query, mixed-case escapes', (key) => `/forms?q=${key.replace('_', '%5f').replace('_', '%5F')}`],
      ['query, + around it', (key) => `/forms?q=see+${key.replace(/_/g, '%5F')}+now`],
      ['query, in a parameter name', (key) => `/forms?${key.replace(/_/g, '%5F')}=1`],
      ['path, "_" escaped', (key) => `/forms/${key.replace(/_/g, '%5F')}`],
      ['path, double-encoded', (key) => `/forms/${key.replace(/_/g, '%255f')}`],
      ['path, fullwidth', (key) => `/forms/${fullwidth(key)}`],
      ['fragment', (key) => `/forms#${key.replace(/_/g, '%5F')}`],
    ];
    for (const [where, spell] of spellings) {
      const key = await createKey();
      const tag = newTag();
      const url = spell(key.key);
      expect(url, where).not.toContain(key.key);
      await expectProblem(await gateway(url, { headers: { 'x-test-tag': tag } }), 'api-key-in-url', 400);
      await expectNoOriginCall(tag);
      const { adminJson } = await import('./helpers/admin');
      expect(await adminJson('GET', `/keys/${key.id}`), where).toMatchObject({ exposed: true, exposedReason: 'url', status: 'revoked' });
      await expectProblem(await gateway('/forms', withKey(key.key, tag)), 'invalid-api-key', 401);
    }
    const overHttp = await createKey();
    await expectProblem(await gateway(`http://api.example.com/forms?q=${escapeAll(overHttp.key)}`), 'https-required', 403);
    const { adminJson } = await import('./helpers/admin');
    expect(await adminJson('GET', `/keys/${overHttp.id}`)).toMatchObject({ exposed: true, status: 'revoked' });
    await expectProblem(await gateway('/forms?api%255Fkey=x'), 'api-key-in-url', 400);
  });

  it('B12: two values in one source or two sources ⇒ 401', async () => {
    const key = await createKey();
    const h = new Headers({ 'x-test-tag': newTag() });
    h.append('x-api-key', key.key);
    h.append('x-api-key', key.key);
    const res = await gateway('/forms/1', { headers: h });
    const body = await expectProblem(res, 'invalid-api-key', 401);
    expect(body.detail).toMatch(/more than one/);
    await expectProblem(await gateway('/forms/1', { headers: { 'x-api-key': `${key.key}, ${key.key}` } }), 'invalid-api-key', 401);
    await expectProblem(
      await gateway('/forms/1', { headers: { authorization: `Bearer ${key.key}`, 'x-api-key': key.key } }),
      'invalid-api-key',
      401,
    );
  });

  it('B13: a wrong key in Authorization is never rescued by a valid X-API-Key', async () => {
    const key = await createKey();
    const tag = newTag();
    await expectProblem(
      await gateway('/forms/1', { headers: { authorization: `Bearer ${unknownKey()}`, 'x-api-key': key.key, 'x-test-tag': tag } }),
      'invalid-api-key',
      401,
    );
    await expectNoOriginCall(tag);
  });

  it('B14: header names are case-insensitive', async () => {
    const key = await createKey();
    for (const name of ['x-api-key', 'X-API-KEY', 'X-Api-Key', 'AUTHORIZATION']) {
      const value = name.toLowerCase() === 'authorization' ? `Bearer ${key.key}` : key.key;
      const res = await gateway('/forms/1', { headers: { [name]: value, 'x-test-tag': newTag() } });
      expect(res.status, name).toBe(200);
    }
  });

  it('B15: a CORS preflight is answered, not authenticated, not proxied', async () => {
    const tag = newTag();
    const preflight = {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'x-test-tag': tag },
    };
    const allowed = await gateway('/forms', preflight, { CORS_ALLOWED_ORIGINS: 'https://app.example, https://other.example' });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    const denied = await gateway('/forms', preflight, { CORS_ALLOWED_ORIGINS: 'https://other.example' });
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
    await expectProblem(denied, 'cors-origin-not-allowed', 403);
    await expectNoOriginCall(tag);
  });

  it('B15: calls from an allowed browser origin carry CORS headers, errors included', async () => {
    const key = await createKey();
    const overrides = { CORS_ALLOWED_ORIGINS: 'https://app.example' };
    const ok = await gateway('/forms/1', withKey(key.key, newTag(), { origin: 'https://app.example' }), overrides);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example');
    const refused = await gateway('/forms/1', { headers: { origin: 'https://app.example' } }, overrides);
    expect(refused.headers.get('access-control-allow-origin')).toBe('https://app.example');
    const stranger = await gateway('/forms/1', withKey(key.key, newTag(), { origin: 'https://evil.example' }), overrides);
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('B16: a non-preflight OPTIONS without a credential ⇒ 401', async () => {
    const tag = newTag();
    await expectProblem(await gateway('/forms', { method: 'OPTIONS', headers: { 'x-test-tag': tag } }), 'missing-api-key', 401);
    await expectNoOriginCall(tag);
  });

  it('B8 timing: refused keys never reach the origin, whatever the order of attempts', async () => {
    const tag = newTag();
    for (let i = 0; i < 5; i++) await gateway('/forms/1', withKey(unknownKey(), tag));
    expect(await originCalls(tag)).toEqual([]);
  });
});
