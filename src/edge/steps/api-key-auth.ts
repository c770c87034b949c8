// Steps 5–8: the credential (never from the URL), its format and checksum, the record through the
// cache, and its status. Every refused key gets the same 401 body; the reason goes to the log only.
// A lookup fault is 503 auth-unavailable: the caller must not conclude its key is bad.
//
// Refusals of known keys (revoked, disabled, expired) and of unknown ones do the same work on the
// request path — one lookup through the cache, one failure counted, the same body — and their log
// line and usage are written after the response (afterResponse), so the time of a 401 does not tell
// whether a key was ever real. An address over AUTH_FAILURE_LIMIT keeps the keys it has proven and
// gets 429 for any other, before any lookup (failure-limiter.ts).

import { AuthUnavailableError, lookupDeps, verifyKey, type VerifyOutcome } from '../verify-key';
import { log } from '../../log';
import { afterResponse, refuse, type StepContext } from '../step';
import { extractCredential } from '../../core/credential';
import { memory } from '../memory';
import { ensureFresh } from '../feed/freshness';

const { failures } = memory;
const INVALID_TOKEN = { 'WWW-Authenticate': 'Bearer realm="keygate", error="invalid_token"' };
const INVALID_REQUEST = { 'WWW-Authenticate': 'Bearer realm="keygate", error="invalid_request"' };
/** Seconds a client should wait after auth-unavailable. */
export const AUTH_RETRY_AFTER = '2';

function tooManyFailures(c: StepContext, wait: number): Response {
  return refuse(c, 'too-many-failures', { headers: { 'Retry-After': String(wait) } });
}

/** The refused key's log line, after the response: known keys at info, unknown and malformed at debug. */
function logRefusal(c: StepContext, outcome: Extract<VerifyOutcome, { ok: false }>): void {
  const requestId = c.get('requestId');
  const level = outcome.keyId === undefined ? 'debug' : 'info';
  afterResponse(c, () => log(level, 'key refused', { requestId, reason: outcome.reason, keyId: outcome.keyId }));
}

export async function apiKeyAuth(c: StepContext): Promise<Response | undefined> {
  const config = c.get('config');
  const clientIp = c.get('clientIp');
  const now = Date.now();
  const wait = failures.blockedFor(clientIp, config.authFailureLimit, now);

  const credential = extractCredential(c.req.raw.headers);
  if (!credential.ok) {
    if (credential.problem === 'invalid-api-key') {
      failures.recordFailure(clientIp, now);
      if (wait > 0) return tooManyFailures(c, wait);
    }
    const headers =
      credential.problem === 'malformed-credentials'
        ? INVALID_REQUEST
        : credential.problem === 'invalid-api-key'
          ? INVALID_TOKEN
          : undefined;
    return refuse(c, credential.problem, { detail: credential.detail, headers });
  }

  // Over the limit, only a key this address has proven is looked up.
  const admit = wait > 0 ? (hash: string) => failures.hasProven(clientIp, hash, now) : undefined;
  let outcome: VerifyOutcome;
  try {
    outcome = await verifyKey(credential.key, lookupDeps(c.env.KEYS, config), now, () => ensureFresh(c, now, config.feed), admit);
  } catch (error) {
    if (!(error instanceof AuthUnavailableError)) throw error;
    log('error', 'auth unavailable', { requestId: c.get('requestId'), error: error.message });
    return refuse(c, 'auth-unavailable', { headers: { 'Retry-After': AUTH_RETRY_AFTER } });
  }
  if (!outcome.ok) {
    failures.recordFailure(clientIp, now);
    logRefusal(c, outcome);
    // Usage counts a known key's refusal under it (after the response too: gateway.ts).
    c.set('refusedKey', outcome.projectId === undefined ? undefined : { keyId: outcome.keyId as string, projectId: outcome.projectId });
    return wait > 0 ? tooManyFailures(c, wait) : refuse(c, 'invalid-api-key', { headers: INVALID_TOKEN });
  }
  if (config.authFailureLimit > 0) failures.recordSuccess(clientIp, outcome.hash, now);
  c.set('principal', outcome.principal);
  return undefined;
}
