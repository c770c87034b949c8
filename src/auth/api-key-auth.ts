// Steps 5–8: the credential (never from the URL), its format and checksum, the record through the
// cache, and its status. Every refused key gets the same 401 body; the reason goes to the log only.
// A lookup fault is 503 auth-unavailable: the caller must not conclude its key is bad.

import { AuthUnavailableError, lookupDeps, verifyKey, type VerifyOutcome } from '../keys/verify';
import { log } from '../log';
import { refuse, type StepContext } from '../step';
import { extractCredential } from './credential';
import { failureLimiter } from './failure-limiter';
import { ensureFresh } from '../feed/freshness';

const INVALID_TOKEN = { 'WWW-Authenticate': 'Bearer realm="keygate", error="invalid_token"' };
const INVALID_REQUEST = { 'WWW-Authenticate': 'Bearer realm="keygate", error="invalid_request"' };
/** Seconds a client should wait after auth-unavailable. */
export const AUTH_RETRY_AFTER = '2';

export async function apiKeyAuth(c: StepContext): Promise<Response | undefined> {
  const config = c.get('config');
  const clientIp = c.get('clientIp');
  const now = Date.now();
  const wait = failureLimiter.blockedFor(clientIp, config.authFailureLimit, now);
  if (wait > 0) return refuse(c, 'too-many-failures', { headers: { 'Retry-After': String(wait) } });

  const credential = extractCredential(c.req.raw.headers);
  if (!credential.ok) {
    if (credential.problem === 'invalid-api-key') failureLimiter.recordFailure(clientIp, now);
    const headers =
      credential.problem === 'malformed-credentials'
        ? INVALID_REQUEST
        : credential.problem === 'invalid-api-key'
          ? INVALID_TOKEN
          : undefined;
    return refuse(c, credential.problem, { detail: credential.detail, headers });
  }

  let outcome: VerifyOutcome;
  try {
    outcome = await verifyKey(credential.key, lookupDeps(c.env.KEYS, config), now, () => ensureFresh(c, now, config.feed));
  } catch (error) {
    if (!(error instanceof AuthUnavailableError)) throw error;
    log('error', 'auth unavailable', { requestId: c.get('requestId'), error: error.message });
    return refuse(c, 'auth-unavailable', { headers: { 'Retry-After': AUTH_RETRY_AFTER } });
  }
  if (!outcome.ok) {
    failureLimiter.recordFailure(clientIp, now);
    // Known keys (revoked, disabled, expired) are worth a line; unknown and malformed ones are noise.
    log(outcome.keyId ? 'info' : 'debug', 'key refused', { requestId: c.get('requestId'), reason: outcome.reason, keyId: outcome.keyId });
    if (outcome.keyId !== undefined && outcome.projectId !== undefined)
      c.set('refusedKey', { keyId: outcome.keyId, projectId: outcome.projectId });
    return refuse(c, 'invalid-api-key', { headers: INVALID_TOKEN });
  }
  c.set('principal', outcome.principal);
  return undefined;
}
