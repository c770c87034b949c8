// Steps 5–8: the credential (never from the URL), its format and checksum, the record through the
// cache, and its status. Every refused key gets the same 401 body; the reason goes to the log only.
// A lookup fault is 503 auth-unavailable: the caller must not conclude its key is bad.

import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { ApiError } from '../errors/problems';
import { AuthUnavailableError, lookupDeps, verifyKey } from '../keys/verify';
import { log } from '../log';
import { extractCredential, findKeyInUrl } from './credential';
import { reportExposure } from './exposure';
import { failureLimiter } from './failure-limiter';

const INVALID_TOKEN = 'Bearer realm="keygate", error="invalid_token"';
const INVALID_REQUEST = 'Bearer realm="keygate", error="invalid_request"';
/** Seconds a client should wait after auth-unavailable. */
export const AUTH_RETRY_AFTER = '2';

export function apiKeyAuth() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const { config, clientIp } = c.var;
    const inUrl = findKeyInUrl(c.req.url, config.keyPrefix);
    if (inUrl.found) {
      if (inUrl.keys.length > 0) await reportExposure(c, inUrl.keys, 'url');
      throw new ApiError('api-key-in-url', {
        detail: 'Send the key in the Authorization or X-API-Key header; a key that was in a URL is treated as exposed',
      });
    }
    const now = Date.now();
    const wait = failureLimiter.blockedFor(clientIp, config.authFailureLimit, now);
    if (wait > 0) throw new ApiError('too-many-failures', { headers: { 'Retry-After': String(wait) } });

    const credential = extractCredential(c.req.raw.headers);
    if (!credential.ok) {
      if (credential.problem === 'invalid-api-key') failureLimiter.recordFailure(clientIp, now);
      const challenge =
        credential.problem === 'malformed-credentials'
          ? INVALID_REQUEST
          : credential.problem === 'invalid-api-key'
            ? INVALID_TOKEN
            : undefined;
      throw new ApiError(credential.problem, { detail: credential.detail, headers: challenge ? { 'WWW-Authenticate': challenge } : {} });
    }

    let outcome;
    try {
      outcome = await verifyKey(credential.key, lookupDeps(c.env.KEYS, config), now);
    } catch (error) {
      if (!(error instanceof AuthUnavailableError)) throw error;
      log('error', 'auth unavailable', { requestId: c.var.requestId, error: error.message });
      throw new ApiError('auth-unavailable', { headers: { 'Retry-After': AUTH_RETRY_AFTER } });
    }
    if (!outcome.ok) {
      failureLimiter.recordFailure(clientIp, now);
      log('info', 'key refused', { requestId: c.var.requestId, reason: outcome.reason, keyId: outcome.keyId });
      throw new ApiError('invalid-api-key', { headers: { 'WWW-Authenticate': INVALID_TOKEN } });
    }
    c.set('principal', outcome.principal);
    return next();
  });
}
