// Step 11: rate limits and quotas, after the scope check (a 403 consumes nothing). Keys without
// limits cost nothing here. Keys with limits get an exact decision from their KeyLimiter; a key
// that was refused is refused from memory until its window frees a call. The limiter unreachable
// or overloaded ⇒ 503 auth-unavailable: hard limits fail closed, never open.

import type { Context } from 'hono';
import type { AppEnv } from '../env';
import { log } from '../log';
import { refuse } from '../step';
import { AUTH_RETRY_AFTER } from '../auth/api-key-auth';
import { limiter } from './limiter-client';
import type { LimitHeaders, Verdict } from './limiter-do';

const MAX_REMEMBERED = 10_000;
/** keyId → the refusal to repeat, until when. */
const overLimit = new Map<string, { until: number; verdict: Extract<Verdict, { allowed: false }> }>();

export function rateLimitHeaders(h: LimitHeaders): Record<string, string> {
  return { 'RateLimit-Limit': String(h.limit), 'RateLimit-Remaining': String(h.remaining), 'RateLimit-Reset': String(h.reset) };
}

function refusal(c: Context<AppEnv>, verdict: Extract<Verdict, { allowed: false }>, retryAfter: number): Response {
  const detail = verdict.reason === 'rate-limited' ? `Rate limit "${verdict.name}" reached` : `The ${verdict.name}ly quota is used up`;
  return refuse(c, verdict.reason, {
    detail,
    headers: { ...rateLimitHeaders({ ...verdict.headers, reset: retryAfter }), 'Retry-After': String(retryAfter) },
  });
}

export async function enforceLimits(c: Context<AppEnv>): Promise<Response | undefined> {
  const principal = c.get('principal');
  if (principal.limits === null) return undefined;
  const now = Date.now();
  const remembered = overLimit.get(principal.keyId);
  if (remembered !== undefined) {
    if (remembered.until > now) return refusal(c, remembered.verdict, Math.max(1, Math.ceil((remembered.until - now) / 1000)));
    overLimit.delete(principal.keyId);
  }
  let verdict: Verdict;
  try {
    verdict = await limiter(c.env, principal.keyId).check({ requestId: c.get('requestId'), now, ...principal.limits });
  } catch (error) {
    log('error', 'limiter unavailable', { requestId: c.get('requestId'), keyId: principal.keyId, error: String(error) });
    return refuse(c, 'auth-unavailable', { headers: { 'Retry-After': AUTH_RETRY_AFTER } });
  }
  if (!verdict.allowed) {
    if (overLimit.size >= MAX_REMEMBERED) overLimit.clear();
    overLimit.set(principal.keyId, { until: now + verdict.retryAfter * 1000, verdict });
    return refusal(c, verdict, verdict.retryAfter);
  }
  c.set('rateLimit', verdict.headers);
  return undefined;
}

/** Forget remembered refusals (after a key's limits changed here, and in tests). */
export function forgetRefusals(keyId?: string): void {
  if (keyId === undefined) overLimit.clear();
  else overLimit.delete(keyId);
}
