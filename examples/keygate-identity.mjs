// Who called an example origin (forms-origin, reports-origin): keygate's verified identity, or —
// when the origin is given no key to verify with — the Keygate-* headers as they came. Given
// keygate's public key (KEYGATE_PUBLIC_JWK: a JWK or a JWK set; or KEYGATE_JWKS_URL), every call
// must carry keygate's signature, checked with keygate's verifier (keygate/verifier).

import { remoteJwks, verifyKeygateRequest } from 'keygate/verifier';

function keygateKeys(env) {
  if (env.KEYGATE_PUBLIC_JWK) {
    const parsed = JSON.parse(env.KEYGATE_PUBLIC_JWK);
    return { jwks: Array.isArray(parsed.keys) ? parsed : { keys: [parsed] } };
  }
  if (env.KEYGATE_JWKS_URL) return { jwks: remoteJwks(env.KEYGATE_JWKS_URL) };
  return undefined;
}

/**
 * The identity check of one origin. `listening(url)` tells it where it listens, unless
 * KEYGATE_ORIGIN_URL says where keygate calls it: the signed @target-uri starts with that URL.
 */
export function keygateIdentity(env = process.env) {
  const verifyOptions = keygateKeys(env);
  let originUrl = env.KEYGATE_ORIGIN_URL?.replace(/\/$/, '');
  return {
    verifying: verifyOptions !== undefined,
    listening(url) {
      originUrl ??= url;
    },
    /** `{ verified, keyId, projectId, … }`, or `{ ok: false, reason }` for a call keygate did not sign. */
    async identify(req) {
      if (verifyOptions === undefined) {
        return {
          verified: false,
          keyId: req.headers['keygate-key-id'] ?? null,
          projectId: req.headers['keygate-project-id'] ?? null,
          requestId: req.headers['x-request-id'] ?? null,
        };
      }
      // The URL keygate called; req.url is the path and query exactly as received.
      if (!req.url.startsWith('/')) return { ok: false, reason: 'bad-request' };
      const result = await verifyKeygateRequest({ method: req.method, url: originUrl + req.url, headers: req.headers }, verifyOptions);
      if (!result.ok) return result;
      const { keyId, projectId, scopes, environment, requestId } = result;
      return { verified: true, keyId, projectId, scopes, environment, requestId };
    },
  };
}
