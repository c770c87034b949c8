// The verifiers' credential: a project's verify token (never the admin token, never an API key),
// read from `Authorization: Bearer` (the HTTP verifier) or `Keygate-Verify-Token` (Envoy, whose
// Authorization is the client's). The token is hashed and looked up by hash — through this
// isolate's cache (VERIFY_TOKEN_TTL_MS, positive and negative) over KV — so comparing it leaks no
// timing of the secret. Wrong tokens count toward the address's admin failure limit: past it, only a
// token this address has proven is looked up. A KV fault is 503 auth-unavailable, never a pass.

import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env';
import { ApiError } from '../errors/problems';
import { hashKey } from '../core/key-hash';
import { withDeadline } from '../core/deadline';
import { readVerifyToken, type VerifyTokenRecord } from '../kv/keys';
import { memory } from '../edge/memory';
import { AUTH_RETRY_AFTER } from '../edge/steps/api-key-auth';
import { log } from '../log';

/** How long this isolate trusts what it read of a token (a revocation elsewhere: KV's convergence plus this). */
export const VERIFY_TOKEN_TTL_MS = 5_000;
const UNAUTHORIZED = { headers: { 'WWW-Authenticate': 'Bearer realm="keygate-verify"' } };

/** Where the token is read: the HTTP verifier's Authorization, or Envoy's own header. */
export type TokenSource = 'authorization' | 'keygate-verify-token';

function tokenOf(header: string | undefined, source: TokenSource): string | undefined {
  if (header === undefined) return undefined;
  if (source === 'keygate-verify-token') return /^\S{1,256}$/.test(header) ? header : undefined;
  return /^Bearer[ \t]+(\S{1,256})$/i.exec(header.trim())?.[1];
}

async function lookup(kv: KVNamespace, hash: string, timeoutMs: number): Promise<VerifyTokenRecord | null> {
  const found = memory.verifyTokens.get(hash, Date.now(), VERIFY_TOKEN_TTL_MS, () => readVerifyToken(kv, hash), timeoutMs);
  try {
    return found instanceof Promise ? await withDeadline(found, timeoutMs, 'KV read') : found;
  } catch (error) {
    log('error', 'verify token lookup failed', { error: String(error) });
    throw new ApiError('auth-unavailable', { headers: { 'Retry-After': AUTH_RETRY_AFTER } });
  }
}

/** The middleware: sets `verifyToken` ({ id, projectId }) or answers 401 invalid-verify-token. */
export function verifyTokenAuth(source: TokenSource) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const config = c.get('config');
    const ip = c.get('clientIp');
    const now = Date.now();
    const wait = memory.adminFailures.blockedFor(ip, config.adminAuthFailureLimit, now);
    const token = tokenOf(c.req.header(source), source);
    const hash = token === undefined ? undefined : await hashKey(token);
    const look = hash !== undefined && (wait === 0 || memory.adminFailures.hasProven(ip, hash, now));
    const record = look ? await lookup(c.env.KEYS, hash, config.authTimeoutMs) : null;
    if (record === null || record.status !== 'active') {
      memory.adminFailures.recordFailure(ip, now);
      if (wait > 0) throw new ApiError('too-many-failures', { headers: { 'Retry-After': String(wait) } });
      throw new ApiError('invalid-verify-token', UNAUTHORIZED);
    }
    memory.adminFailures.recordSuccess(ip, hash as string, now);
    c.set('verifyToken', { id: record.id, projectId: record.projectId });
    return next();
  });
}
