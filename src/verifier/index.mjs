// keygate's verifier for origins: checks the RFC 9421 signature keygate puts on every call it forwards
// (when ORIGIN_SIGNING_KEY is set) and returns the identity it vouches for. WebCrypto only, no
// dependencies: runs in Node ≥ 20, Workers, Deno and Bun. `import { verifyKeygateRequest } from 'keygate/verifier'`.

import {
  KEYGATE_COMPONENTS,
  CUSTOMER_COMPONENTS,
  KEYGATE_LABEL,
  isEd25519Jwk,
  jwkThumbprint,
  parseDictionary,
  serializeSignatureParams,
  signatureBase,
} from './message.mjs';

export { KEYGATE_COMPONENTS, KEYGATE_LABEL, jwkThumbprint } from './message.mjs';

const DERIVED = new Set(['@method', '@target-uri', '@authority', '@scheme', '@path', '@query']);
const importedKeys = new Map();

function fail(reason, detail) {
  return detail === undefined ? { ok: false, reason } : { ok: false, reason, detail };
}

/** A header's value from a Headers object or a Node-style record (arrays joined with ", "). */
function headerValue(headers, name) {
  if (typeof headers.get === 'function') return headers.get(name) ?? undefined;
  let value = headers[name];
  if (value === undefined) {
    const found = Object.keys(headers).find((key) => key.toLowerCase() === name);
    value = found === undefined ? undefined : headers[found];
  }
  if (value === undefined || value === null) return undefined;
  return Array.isArray(value) ? value.map((v) => String(v).trim()).join(', ') : String(value).trim();
}

function derivedValue(id, method, url) {
  switch (id) {
    case '@method':
      return method;
    case '@target-uri':
      return url.href;
    case '@authority':
      return url.host.toLowerCase();
    case '@scheme':
      return url.protocol.slice(0, -1).toLowerCase();
    case '@path':
      return url.pathname;
    default:
      return url.search === '' ? '?' : url.search;
  }
}

/** The covered component identifiers of one Signature-Input member, or a reason it is unusable. */
function coveredComponents(member, headers) {
  if (!Array.isArray(member.value)) return fail('malformed-signature', 'Signature-Input is not an inner list');
  const ids = [];
  for (const item of member.value) {
    if (typeof item.value !== 'string' || item.params.size !== 0) return fail('unsupported-component');
    if (item.value.startsWith('@') ? !DERIVED.has(item.value) : !/^[a-z0-9!#$%&'*+\-.^_`|~]+$/.test(item.value)) {
      return fail('unsupported-component', item.value);
    }
    if (ids.includes(item.value)) return fail('malformed-signature', `${item.value} is covered twice`);
    ids.push(item.value);
  }
  const required = [...KEYGATE_COMPONENTS, ...CUSTOMER_COMPONENTS.filter((id) => headerValue(headers, id) !== undefined)];
  const missing = required.find((id) => !ids.includes(id));
  if (missing !== undefined) return fail('component-not-covered', missing);
  return { ok: true, ids };
}

function checkTimes(params, options) {
  const created = params.get('created');
  const expires = params.get('expires');
  if (!Number.isInteger(created) || !Number.isInteger(expires)) return fail('malformed-signature', 'created and expires are required');
  const nowMs = options.now instanceof Date ? options.now.getTime() : (options.now ?? Date.now());
  const now = Math.floor(nowMs / 1000);
  const skew = options.clockSkewSeconds ?? 5;
  const maxAge = options.maxAgeSeconds ?? 60;
  if (created > now + skew) return fail('signature-not-yet-valid');
  if (expires + skew < now || now - created > maxAge + skew) return fail('signature-expired');
  return { ok: true, created, expires };
}

async function importPublicKey(jwk) {
  let key = importedKeys.get(jwk.x);
  if (key === undefined) {
    key = await crypto.subtle.importKey('jwk', { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, { name: 'Ed25519' }, false, ['verify']);
    if (importedKeys.size >= 32) importedKeys.clear();
    importedKeys.set(jwk.x, key);
  }
  return key;
}

/** The public key for `keyId`: the pinned `publicKey`, or the member of `jwks` whose kid (or thumbprint) is keyId. */
async function resolveKey(keyId, options) {
  if (options.publicKey !== undefined) {
    if (!isEd25519Jwk(options.publicKey)) throw new TypeError('publicKey must be an Ed25519 JWK');
    return options.publicKey;
  }
  const set = typeof options.jwks === 'function' ? await options.jwks(keyId) : options.jwks;
  const keys = Array.isArray(set?.keys) ? set.keys : [];
  for (const jwk of keys) {
    if (!isEd25519Jwk(jwk)) continue;
    if ((typeof jwk.kid === 'string' ? jwk.kid : await jwkThumbprint(jwk)) === keyId) return jwk;
  }
  return undefined;
}

function identity(headers) {
  const scopes = headerValue(headers, 'keygate-scopes') ?? '';
  return {
    keyId: headerValue(headers, 'keygate-key-id'),
    projectId: headerValue(headers, 'keygate-project-id'),
    scopes: scopes.split(' ').filter(Boolean),
    environment: headerValue(headers, 'keygate-environment'),
    requestId: headerValue(headers, 'x-request-id'),
    customerId: headerValue(headers, 'keygate-customer-id') ?? null,
    customerExternalId: headerValue(headers, 'keygate-customer-external-id') ?? null,
  };
}

function signatureMembers(headers) {
  const input = headerValue(headers, 'signature-input');
  const signature = headerValue(headers, 'signature');
  if (input === undefined || signature === undefined) return fail('missing-signature');
  let inputs;
  let signatures;
  try {
    inputs = parseDictionary(input);
    signatures = parseDictionary(signature);
  } catch {
    return fail('malformed-signature', 'Signature-Input or Signature is not a valid dictionary');
  }
  const member = inputs.get(KEYGATE_LABEL);
  const sig = signatures.get(KEYGATE_LABEL);
  if (member === undefined || sig === undefined) return fail('missing-signature', `no "${KEYGATE_LABEL}" signature`);
  if (!(sig.value instanceof Uint8Array) || sig.value.length !== 64) return fail('malformed-signature', 'the signature is not 64 bytes');
  return { ok: true, member, signature: sig.value };
}

/**
 * Verifies keygate's signature on a request the origin received.
 * @param {Request | { method: string, url: string, headers: Headers | Record<string, string | string[] | undefined> }} request
 *   `url` is the full URL keygate called (its ORIGIN_URL + the path and query).
 * @param {import('./index.d.mts').VerifyOptions} options
 * @returns {Promise<import('./index.d.mts').VerifyResult>}
 */
export async function verifyKeygateRequest(request, options) {
  const headers = request.headers;
  const found = signatureMembers(headers);
  if (!found.ok) return found;
  const { member, signature } = found;
  const covered = coveredComponents(member, headers);
  if (!covered.ok) return covered;
  const params = member.params;
  const keyId = params.get('keyid');
  if (typeof keyId !== 'string') return fail('malformed-signature', 'keyid is required');
  if (params.has('alg') && params.get('alg') !== 'ed25519') return fail('unsupported-algorithm', String(params.get('alg')));
  const times = checkTimes(params, options);
  if (!times.ok) return times;
  let url;
  try {
    url = new URL(request.url);
  } catch {
    return fail('bad-request', 'the request URL is not absolute');
  }
  const components = [];
  for (const id of covered.ids) {
    const value = id.startsWith('@') ? derivedValue(id, request.method, url) : headerValue(headers, id);
    if (value === undefined) return fail('missing-component', id);
    components.push([id, value]);
  }
  const jwk = await resolveKey(keyId, options);
  if (jwk === undefined) return fail('unknown-key', keyId);
  const base = signatureBase(components, serializeSignatureParams(covered.ids, params));
  const valid = await crypto.subtle.verify('Ed25519', await importPublicKey(jwk), signature, new TextEncoder().encode(base));
  if (!valid) return fail('bad-signature');
  return { ok: true, ...identity(headers), signatureKeyId: keyId, created: times.created, expires: times.expires };
}

/**
 * A `jwks` option that fetches keygate's /_keygate/.well-known/jwks.json, caches it for
 * `cacheSeconds` (default 300) and fetches again — at most every `minRefreshSeconds` (default 30) —
 * when a signature names a key it does not hold (key rotation).
 * @param {string} url
 * @param {{ cacheSeconds?: number, minRefreshSeconds?: number, fetch?: typeof fetch }} [options]
 */
export function remoteJwks(url, options = {}) {
  const cacheMs = (options.cacheSeconds ?? 300) * 1000;
  const minRefreshMs = (options.minRefreshSeconds ?? 30) * 1000;
  const get = options.fetch ?? fetch;
  let cached;
  let fetchedAt = 0;
  let pending;
  async function load() {
    const res = await get(url, { headers: { accept: 'application/jwk-set+json, application/json' } });
    if (!res.ok) throw new Error(`JWKS ${url}: HTTP ${res.status}`);
    cached = await res.json();
    fetchedAt = Date.now();
    return cached;
  }
  return async (keyId) => {
    const age = Date.now() - fetchedAt;
    const known = cached?.keys?.some((k) => k.kid === keyId);
    if (cached === undefined || age > cacheMs || (!known && age > minRefreshMs)) {
      pending ??= load().finally(() => (pending = undefined));
      try {
        return await pending;
      } catch (error) {
        if (cached === undefined) throw error;
      }
    }
    return cached;
  };
}
