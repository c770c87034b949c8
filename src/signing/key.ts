// ORIGIN_SIGNING_KEY: keygate's Ed25519 private key (a JWK, a secret), parsed with the rest of the
// configuration, and the signer built from it once per configuration — imported, checked against its
// own public half (a key whose `x` does not match `d` would publish a key no signature verifies
// under) and cached. Anything wrong ⇒ ConfigError ⇒ 500 misconfigured on every proxied call.

import { ConfigError } from '../errors/config-error';
import { base64UrlDecode, isEd25519Jwk, jwkThumbprint } from '../verifier/message.mjs';

export interface SigningKey {
  /** The private JWK's members that matter; never logged, never served. */
  d: string;
  x: string;
  kid: string | undefined;
}

export interface Signer {
  key: CryptoKey;
  /** The `keyid` of every signature and the `kid` in the JWKS: the JWK's kid, else its thumbprint. */
  keyId: string;
  publicJwk: { kty: 'OKP'; crv: 'Ed25519'; x: string; kid: string; alg: 'EdDSA'; use: 'sig' };
}

const INVALID = 'ORIGIN_SIGNING_KEY must be an Ed25519 private key as JWK: {"kty":"OKP","crv":"Ed25519","d":"…","x":"…"}';

function decodes32(value: unknown): value is string {
  try {
    return typeof value === 'string' && base64UrlDecode(value).length === 32;
  } catch {
    return false;
  }
}

/** The signing key from the raw binding; undefined/empty ⇒ null (calls go unsigned). */
export function parseSigningKey(raw: unknown): SigningKey | null {
  if (raw === undefined || raw === '') return null;
  let jwk: unknown;
  try {
    jwk = typeof raw === 'string' ? JSON.parse(raw) : raw;
  } catch {
    throw new ConfigError(INVALID);
  }
  if (!isEd25519Jwk(jwk)) throw new ConfigError(INVALID);
  const { d, kid } = jwk as { d?: unknown; kid?: unknown };
  if (!decodes32(d)) throw new ConfigError(INVALID);
  if (kid !== undefined && (typeof kid !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(kid) || /["\\]/.test(kid))) {
    throw new ConfigError('ORIGIN_SIGNING_KEY: kid must be 1–128 printable ASCII characters without quotes or backslashes');
  }
  return { d, x: jwk.x, kid };
}

async function buildSigner(signing: SigningKey): Promise<Signer> {
  const jwk = { kty: 'OKP', crv: 'Ed25519', x: signing.x };
  let key: CryptoKey;
  let consistent: boolean;
  try {
    key = await crypto.subtle.importKey('jwk', { ...jwk, d: signing.d }, { name: 'Ed25519' }, false, ['sign']);
    const probe = new TextEncoder().encode('keygate signing key check');
    const publicKey = await crypto.subtle.importKey('jwk', jwk, { name: 'Ed25519' }, false, ['verify']);
    consistent = await crypto.subtle.verify('Ed25519', publicKey, await crypto.subtle.sign('Ed25519', key, probe), probe);
  } catch {
    throw new ConfigError(INVALID);
  }
  if (!consistent) throw new ConfigError('ORIGIN_SIGNING_KEY: x is not the public key of d');
  const keyId = signing.kid ?? (await jwkThumbprint({ crv: 'Ed25519', kty: 'OKP', x: signing.x }));
  return { key, keyId, publicJwk: { kty: 'OKP', crv: 'Ed25519', x: signing.x, kid: keyId, alg: 'EdDSA', use: 'sig' } };
}

const signers = new WeakMap<SigningKey, Promise<Signer>>();

/** The signer for this configuration's key, built on first use and then shared by every request. */
export function signerFor(signing: SigningKey): Promise<Signer> {
  let signer = signers.get(signing);
  if (signer === undefined) {
    signer = buildSigner(signing);
    signers.set(signing, signer);
  }
  return signer;
}
