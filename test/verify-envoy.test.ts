// Envoy's ext_authz filter in HTTP service mode (issue 17, docs/envoy.yaml): Envoy calls
// /_keygate/v1/ext-authz + the original path with the original method, Authorization, the headers
// its allowed_headers names and the verify token in Keygate-Verify-Token. The requests below are
// shaped as Envoy sends them (nothing is faked: Envoy's side is the request itself). On allow:
// 200, no body, the identity headers and the headers Envoy must remove; on deny: the refusal.

import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, expectNoOriginCall, expectProblem, gateway, newTag } from './helpers/gateway';
import { adminJson, createKey, createProject } from './helpers/admin';
import { createVerifyToken } from './helpers/verify';
import { env } from 'cloudflare:test';
import { verifyKeygateRequest } from '../src/verifier/index.mjs';
import { EXT_AUTHZ_PREFIX } from '../src/verify/ext-authz';
import envoyYaml from '../docs/envoy.yaml?raw';

/** Envoy's check request for `method path` from `clientIp`, carrying `headers` of the original request. */
function envoyCheck(method: string, path: string, token: string | undefined, headers: Record<string, string> = {}) {
  const all: Record<string, string> = {
    'x-forwarded-for': '198.51.100.23',
    'x-envoy-expected-rq-timeout-ms': '250',
    ...headers,
  };
  if (token !== undefined) all['keygate-verify-token'] = token;
  return gateway(`/_keygate/v1/ext-authz${path}`, { method, headers: all });
}

describe('Envoy ext_authz (HTTP service)', () => {
  it('allows with the identity headers for the upstream and the credential to remove; the origin is never called', async () => {
    const key = await createKey({ scopes: ['forms:read'] });
    const { token } = await createVerifyToken(key.projectId);
    const tag = newTag();
    const res = await envoyCheck('GET', '/forms/1?view=full', token, {
      authorization: `Bearer ${key.key}`,
      'x-test-tag': tag,
      'keygate-customer-id': 'cus_forged',
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.text()).toBe('');
    expect(res.headers.get('keygate-key-id')).toBe(key.id);
    expect(res.headers.get('keygate-project-id')).toBe(key.projectId);
    expect(res.headers.get('keygate-scopes')).toBe('forms:read');
    expect(res.headers.get('keygate-environment')).toBe('live');
    expect(res.headers.get('keygate-customer-id'), 'no customer: the forged one is removed, not answered').toBeNull();
    const remove = (res.headers.get('x-envoy-auth-headers-to-remove') ?? '').split(', ');
    expect(remove).toEqual(expect.arrayContaining(['authorization', 'x-api-key', 'keygate-customer-id', 'keygate-customer-external-id']));
    expect(remove).not.toContain('keygate-key-id');
    await expectNoOriginCall(tag);
  });

  it("allows a customer's key with its customer's id and external id for the upstream, not to be removed", async () => {
    const project = await createProject();
    const externalId = `acct-${newTag()}`;
    const customer = await adminJson<{ id: string }>('POST', `/projects/${project}/customers`, { name: 'Clinic', externalId }, 201);
    const key = await createKey({ customerId: customer.id, scopes: ['forms:read'] }, project);
    const { token } = await createVerifyToken(project);
    const res = await envoyCheck('GET', '/forms/1', token, { authorization: `Bearer ${key.key}`, 'keygate-customer-id': 'cus_forged' });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get('keygate-customer-id')).toBe(customer.id);
    expect(res.headers.get('keygate-customer-external-id')).toBe(externalId);
    const remove = (res.headers.get('x-envoy-auth-headers-to-remove') ?? '').split(', ');
    expect(remove).not.toContain('keygate-customer-id');
    expect(remove).not.toContain('keygate-customer-external-id');
    expect(remove).toContain('authorization');
  });

  it('reads X-API-Key, and the client address from Keygate-Client-Ip, else the entry Envoy appended to X-Forwarded-For', async () => {
    const key = await createKey({ scopes: ['forms:read'], ipAllowlist: ['203.0.113.0/24'] });
    const { token } = await createVerifyToken(key.projectId);
    const listed = await envoyCheck('GET', '/forms/1', token, { 'x-api-key': key.key, 'x-forwarded-for': '198.51.100.1, 203.0.113.5' });
    expect(listed.status).toBe(200);
    const spoofed = await envoyCheck('GET', '/forms/1', token, { 'x-api-key': key.key, 'x-forwarded-for': '203.0.113.5, 198.51.100.1' });
    await expectProblem(spoofed, 'ip-not-allowed', 403);
    // Keygate-Client-Ip (Envoy's headers_to_add, %DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%) wins over X-Forwarded-For.
    const given = { 'x-api-key': key.key, 'x-forwarded-for': '203.0.113.5' };
    expect((await envoyCheck('GET', '/forms/1', token, { ...given, 'keygate-client-ip': '203.0.113.77' })).status).toBe(200);
    await expectProblem(
      await envoyCheck('GET', '/forms/1', token, { ...given, 'keygate-client-ip': '198.51.100.9' }),
      'ip-not-allowed',
      403,
    );
  });

  it('denies with the refusal’s status, headers and problem body', async () => {
    const key = await createKey({ scopes: ['forms:read'] });
    const { token } = await createVerifyToken(key.projectId);
    const missing = await envoyCheck('GET', '/forms/1', token);
    await expectProblem(missing, 'missing-api-key', 401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="keygate"');
    const scope = await envoyCheck('POST', '/forms', token, { authorization: `Bearer ${key.key}` });
    expect((await expectProblem(scope, 'insufficient-scope', 403)).scope).toBe('forms:write');
    expect(scope.headers.get('x-envoy-auth-headers-to-remove')).toBeNull();
    await expectProblem(
      await envoyCheck('GET', '/forms/%252e%252e/secret', token, { authorization: `Bearer ${key.key}` }),
      'non-canonical-path',
      400,
    );
    await adminJson('POST', `/keys/${key.id}/revoke`);
    await expectProblem(await envoyCheck('GET', '/forms/1', token, { authorization: `Bearer ${key.key}` }), 'invalid-api-key', 401);
  });

  it('Envoy must present a verify token of the key’s project: none, the admin token or a wrong one is 401', async () => {
    const key = await createKey({ scopes: ['forms:read'] });
    for (const wrong of [undefined, ADMIN_TOKEN, 'kgvt_' + 'y'.repeat(40)]) {
      await expectProblem(await envoyCheck('GET', '/forms/1', wrong, { authorization: `Bearer ${key.key}` }), 'invalid-verify-token', 401);
    }
    const other = await createVerifyToken((await createKey()).projectId);
    await expectProblem(await envoyCheck('GET', '/forms/1', other.token, { authorization: `Bearer ${key.key}` }), 'invalid-api-key', 401);
  });

  it('with ORIGIN_SIGNING_KEY set, the allow answer carries keygate’s signature over ORIGIN_URL + the path, which keygate/verifier accepts upstream', async () => {
    const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const jwk = (await crypto.subtle.exportKey('jwk', pair.privateKey)) as JsonWebKey & { x: string };
    const key = await createKey({ scopes: ['forms:read'] });
    const { token } = await createVerifyToken(key.projectId);
    const headers = { 'keygate-verify-token': token, authorization: `Bearer ${key.key}` };
    const res = await gateway('/_keygate/v1/ext-authz/forms/7?x=1', { headers }, { ORIGIN_SIGNING_KEY: JSON.stringify(jwk) });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-envoy-auth-headers-to-remove')).not.toContain('signature');
    // What the upstream receives: the request Envoy forwards, with the allow answer's headers added.
    const upstream = Object.fromEntries([...res.headers].filter(([name]) => /^(keygate-|signature|x-request-id)/.test(name)));
    const request = { method: 'GET', url: `${env.ORIGIN_URL}/forms/7?x=1`, headers: upstream };
    const verified = await verifyKeygateRequest(request, { publicKey: { kty: 'OKP', crv: 'Ed25519', x: jwk.x } });
    expect(verified).toMatchObject({ ok: true, keyId: key.id, projectId: key.projectId });
  });

  it('docs/envoy.yaml sends what this endpoint reads and lets through what it answers', () => {
    expect(envoyYaml).toContain(`path_prefix: ${EXT_AUTHZ_PREFIX}\n`);
    expect(envoyYaml).toMatch(/- key: keygate-verify-token\n\s+value: kgvt_/);
    expect(envoyYaml).toMatch(/- key: keygate-client-ip\n\s+value: '%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%'/);
    expect(envoyYaml).toMatch(/allowed_upstream_headers:\n\s+patterns:\n\s+- prefix: keygate-\n/);
    expect(envoyYaml).toContain('failure_mode_allow: false');
    expect(envoyYaml).toContain('host_rewrite_literal: keygate.example.com');
  });
});
