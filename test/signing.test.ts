// Signed identity to the origin (RFC 9421): with ORIGIN_SIGNING_KEY set, the call the fake origin
// records verifies with the shipped verifier against keygate's JWKS — and stops verifying when a header,
// the path, the key or the clock is wrong. Keys are generated here, per test file.

import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { createKey, type CreatedKey } from './helpers/admin';
import { expectNoOriginCall, expectProblem, gateway, newTag, originCalls, withKey } from './helpers/gateway';
import type { RecordedCall } from './helpers/origin-types';
import { jwkThumbprint, verifyKeygateRequest, type JwkSet, type VerifyOptions } from '../src/verifier/index.mjs';

interface PrivateJwk extends JsonWebKey {
  x: string;
  d: string;
}

async function newKeyPair(): Promise<PrivateJwk> {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  return (await crypto.subtle.exportKey('jwk', pair.privateKey)) as PrivateJwk;
}

function publicOf(jwk: PrivateJwk, kid?: string): JwkSet['keys'][number] {
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x, ...(kid === undefined ? {} : { kid }) };
}

let signing: PrivateJwk;
let signed: Record<string, unknown>;
let key: CreatedKey;

beforeAll(async () => {
  signing = await newKeyPair();
  signed = { ORIGIN_SIGNING_KEY: JSON.stringify(signing) };
  key = await createKey({ scopes: ['forms:read'] });
});

/** One call through keygate with signing on; what the origin received, as the verifier takes it. */
async function signedCall(path = '/forms/abc?x=1&y=2', headers: Record<string, string> = {}, overrides = signed) {
  const tag = newTag();
  const res = await gateway(path, withKey(key.key, tag, headers), overrides);
  expect(res.status, await res.clone().text()).toBe(200);
  const [call] = await originCalls(tag);
  expect(call).toBeDefined();
  return {
    res,
    call: call as RecordedCall,
    request: { method: call?.method ?? '', url: `${env.ORIGIN_URL}${call?.url ?? ''}`, headers: { ...call?.headers } },
  };
}

async function servedJwks(overrides = signed): Promise<JwkSet> {
  const res = await gateway('/_keygate/.well-known/jwks.json', {}, overrides);
  expect(res.status).toBe(200);
  return (await res.json()) as JwkSet;
}

describe('origin signature', () => {
  it('signs every forwarded call; the shipped verifier accepts it and returns the identity', async () => {
    const { request, call } = await signedCall();
    expect(call.headers['signature-input']).toMatch(
      /^keygate=\("@method" "@target-uri" "keygate-key-id" "keygate-project-id" "keygate-scopes" "keygate-environment" "x-request-id"\);created=(\d+);expires=(\d+);keyid="[A-Za-z0-9_-]{43}";alg="ed25519"$/,
    );
    expect(call.headers.signature).toMatch(/^keygate=:[A-Za-z0-9+/]{86}==:$/);
    const [, created, expires] = /created=(\d+);expires=(\d+)/.exec(String(call.headers['signature-input'])) ?? [];
    expect(Number(expires) - Number(created)).toBe(60);
    expect(Math.abs(Number(created) - Date.now() / 1000)).toBeLessThan(30);
    const result = await verifyKeygateRequest(request, { jwks: await servedJwks() });
    expect(result).toMatchObject({
      ok: true,
      keyId: key.id,
      projectId: key.projectId,
      scopes: ['forms:read'],
      environment: 'live',
      requestId: call.headers['x-request-id'],
      signatureKeyId: await jwkThumbprint(publicOf(signing)),
    });
  });

  it('fails for a tampered Keygate-Key-Id, a tampered path or query, method, scopes or request id', async () => {
    const { request } = await signedCall();
    const options = { jwks: await servedJwks() };
    const tampered = [
      { ...request, headers: { ...request.headers, 'keygate-key-id': 'key_someoneelse' } },
      { ...request, headers: { ...request.headers, 'keygate-scopes': 'forms:read forms:delete' } },
      { ...request, headers: { ...request.headers, 'x-request-id': crypto.randomUUID() } },
      { ...request, url: request.url.replace('/forms/abc', '/forms/abd') },
      { ...request, url: request.url.replace('x=1', 'x=2') },
      { ...request, method: 'DELETE' },
    ];
    for (const req of tampered) expect(await verifyKeygateRequest(req, options)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(await verifyKeygateRequest(request, options)).toMatchObject({ ok: true });
  });

  it('fails under a wrong public key, an unknown keyid, an expired or future signature, and without one', async () => {
    const { request } = await signedCall();
    const kid = await jwkThumbprint(publicOf(signing));
    const other = await newKeyPair();
    expect(await verifyKeygateRequest(request, { publicKey: publicOf(other) })).toEqual({ ok: false, reason: 'bad-signature' });
    expect(await verifyKeygateRequest(request, { jwks: { keys: [publicOf(other, kid)] } })).toEqual({ ok: false, reason: 'bad-signature' });
    expect(await verifyKeygateRequest(request, { jwks: { keys: [publicOf(other)] } })).toMatchObject({ ok: false, reason: 'unknown-key' });
    const good: VerifyOptions = { publicKey: publicOf(signing) };
    expect(await verifyKeygateRequest(request, { ...good, now: Date.now() + 70_000 })).toEqual({ ok: false, reason: 'signature-expired' });
    expect(await verifyKeygateRequest(request, { ...good, now: Date.now() + 20_000, maxAgeSeconds: 10 })).toEqual({
      ok: false,
      reason: 'signature-expired',
    });
    expect(await verifyKeygateRequest(request, { ...good, now: Date.now() - 60_000 })).toEqual({
      ok: false,
      reason: 'signature-not-yet-valid',
    });
    const { signature: _s, 'signature-input': _i, ...unsigned } = request.headers;
    expect(await verifyKeygateRequest({ ...request, headers: unsigned }, good)).toEqual({ ok: false, reason: 'missing-signature' });
    expect(await verifyKeygateRequest(request, good)).toMatchObject({ ok: true });
  });

  it('fails when a signature covers less than the identity, or is not well formed', async () => {
    const { request } = await signedCall();
    const input = String(request.headers['signature-input']);
    const good: VerifyOptions = { publicKey: publicOf(signing) };
    const variants: [string, string][] = [
      [input.replace(' "keygate-scopes"', ''), 'component-not-covered'],
      [input.replace('("@method"', '("@method";sf'), 'unsupported-component'],
      [input.replace('alg="ed25519"', 'alg="rsa-pss-sha512"'), 'unsupported-algorithm'],
      [input.replace(/;keyid="[^"]+"/, ''), 'malformed-signature'],
      [input.replace('keygate=(', 'keygate=("'), 'malformed-signature'],
      [input.replace('keygate=', 'other='), 'missing-signature'],
    ];
    for (const [value, reason] of variants) {
      const result = await verifyKeygateRequest({ ...request, headers: { ...request.headers, 'signature-input': value } }, good);
      expect(result, value).toMatchObject({ ok: false, reason });
    }
    const { 'keygate-environment': _e, ...withoutHeader } = request.headers;
    expect(await verifyKeygateRequest({ ...request, headers: withoutHeader }, good)).toEqual({
      ok: false,
      reason: 'missing-component',
      detail: 'keygate-environment',
    });
  });

  it('verifies a Request object too (headers as Headers, the URL as the origin sees it)', async () => {
    const { request } = await signedCall('/forms');
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) if (typeof value === 'string') headers.set(name, value);
    expect(await verifyKeygateRequest(new Request(request.url, { headers }), { publicKey: publicOf(signing) })).toMatchObject({
      ok: true,
      keyId: key.id,
    });
  });

  it('replaces client-sent Signature and Signature-Input with its own', async () => {
    const forged = { signature: 'keygate=:AAAA:', 'signature-input': 'keygate=("@method");created=1;keyid="x"' };
    const { call, request } = await signedCall('/forms/1', forged);
    expect(call.headers.signature).not.toBe(forged.signature);
    expect(call.rawHeaders.filter((h) => /^signature(-input)?$/i.test(h))).toHaveLength(2);
    expect(await verifyKeygateRequest(request, { publicKey: publicOf(signing) })).toMatchObject({ ok: true });
  });
});

describe('origin signature not configured', () => {
  it('forwards unsigned, and drops a client-sent Signature and Signature-Input', async () => {
    const { call } = await signedCall('/forms/1', { signature: 'keygate=:AAAA:', 'signature-input': 'keygate=()' }, {});
    expect(call.headers.signature).toBeUndefined();
    expect(call.headers['signature-input']).toBeUndefined();
    expect(call.headers['keygate-key-id']).toBe(key.id);
  });

  it('serves no JWKS (404)', async () => {
    await expectProblem(await gateway('/_keygate/.well-known/jwks.json'), 'not-found', 404);
  });
});

describe('JWKS', () => {
  it('serves the public key only: kty, crv, x, kid (the thumbprint unless the JWK names one), alg, use', async () => {
    const set = await servedJwks();
    expect(set).toEqual({
      keys: [{ kty: 'OKP', crv: 'Ed25519', x: signing.x, kid: await jwkThumbprint(publicOf(signing)), alg: 'EdDSA', use: 'sig' }],
    });
    expect(JSON.stringify(set)).not.toContain(signing.d);
    const named = await servedJwks({ ORIGIN_SIGNING_KEY: JSON.stringify({ ...signing, kid: 'keygate-2026-11' }) });
    expect(named.keys[0]?.kid).toBe('keygate-2026-11');
    const res = await gateway('/_keygate/.well-known/jwks.json', {}, signed);
    expect(res.headers.get('content-type')).toBe('application/jwk-set+json');
  });

  it('signs with the JWK kid as keyid when it has one', async () => {
    const overrides = { ORIGIN_SIGNING_KEY: JSON.stringify({ ...signing, kid: 'keygate-2026-11' }) };
    const { call, request } = await signedCall('/forms', {}, overrides);
    expect(call.headers['signature-input']).toContain(';keyid="keygate-2026-11";');
    expect(await verifyKeygateRequest(request, { jwks: await servedJwks(overrides) })).toMatchObject({ ok: true });
  });
});

describe('a malformed ORIGIN_SIGNING_KEY fails closed', () => {
  it.each([
    ['not JSON', () => 'not json'],
    ['a public key only', () => JSON.stringify(publicOf(signing))],
    ['another curve', () => JSON.stringify({ ...signing, crv: 'X25519' })],
    ['a short d', () => JSON.stringify({ ...signing, d: signing.d.slice(0, 20) })],
    ['x of another key', async () => JSON.stringify({ ...signing, x: (await newKeyPair()).x })],
  ])('%s ⇒ 500 misconfigured, the origin is never called, no JWKS', async (_name, make) => {
    const overrides = { ORIGIN_SIGNING_KEY: await make() };
    const tag = newTag();
    const body = await expectProblem(await gateway('/forms/1', withKey(key.key, tag), overrides), 'misconfigured', 500);
    expect(body.detail).toMatch(/ORIGIN_SIGNING_KEY/);
    expect(JSON.stringify(body)).not.toContain(signing.d);
    await expectNoOriginCall(tag);
    await expectProblem(await gateway('/_keygate/.well-known/jwks.json', {}, overrides), 'misconfigured', 500);
  });
});
