// Step 11: rate limits and quotas, after the scope check (a 403 consumes nothing). Keys without
// limits cost nothing here. Keys with limits get an exact decision from their KeyLimiter; a key
// that was refused is refused from memory until its window frees a call. The limiter unreachable
// or overloaded ⇒ 503 auth-unavailable: hard limits fail closed, never open.
//
// A key this isolate calls often (more than LEASE_AFTER calls a second) asks for a lease with its
// next check: a block of calls reserved in the limiter that this isolate spends from memory until
// the lease ends, then hands back what it did not spend (waitUntil, or with the next check).

import type { Principal } from '../keys/verify';
import { log } from '../log';
import { refuse, type StepContext } from '../step';
import { AUTH_RETRY_AFTER } from '../auth/api-key-auth';
import { limiter } from './limiter-client';
import { type Lease, type LeaseReturn, type LimitHeaders, type Verdict } from './limiter-do';
import { refusalHeaders } from './ratelimit-fields';

const MAX_REMEMBERED = 10_000;
/** Calls of one key within a second before this isolate asks for leases. */
export const LEASE_AFTER = 4;

type Limits = NonNullable<Principal['limits']>;
type Refusal = Extract<Verdict, { allowed: false }>;

interface HeldLease extends Lease {
  keyId: string;
  /** The limits it was granted under: a lease is spent only while they are unchanged. */
  limits: Limits;
  spent: number;
}

/** keyId → the refusal to repeat, until when. */
const overLimit = new Map<string, { until: number; verdict: Refusal }>();
/** keyId → the lease this isolate holds. */
const leases = new Map<string, HeldLease>();
/** keyId → unspent calls of ended leases, not yet handed back. */
const returns = new Map<string, LeaseReturn[]>();
/** keyId → how many times this isolate has handed calls back to the limiter. */
const handedBack = new Map<string, number>();
/** keyId → calls in the current second and the one before. */
const recentCalls = new Map<string, { second: number; n: number; previous: number }>();
let holderId: string | undefined;

function refusal(c: StepContext, verdict: Refusal, retryAfter: number): Response {
  const detail = verdict.reason === 'rate-limited' ? `Rate limit "${verdict.name}" reached` : `The ${verdict.name}ly quota is used up`;
  return refuse(c, verdict.reason, { detail, headers: refusalHeaders(verdict, retryAfter) });
}

/** Spends one call of the key's lease, if it has a live one for these limits; the limits after it. */
function spendLease(keyId: string, limits: Limits, now: number): LimitHeaders[] | undefined {
  const lease = leases.get(keyId);
  if (lease === undefined || lease.limits !== limits || lease.expiresAt <= now || lease.spent >= lease.units) return undefined;
  lease.spent++;
  return lease.headers.map((h) => ({ ...h, remaining: Math.max(0, h.remaining - lease.spent) }));
}

/**
 * Stops spending the key's lease and queues its end for the limiter: what is left goes back, and
 * even a spent lease is reported, so the limiter may grant this isolate the next one at once.
 */
function endLease(keyId: string): void {
  const lease = leases.get(keyId);
  if (lease === undefined) return;
  leases.delete(keyId);
  returns.set(keyId, [...(returns.get(keyId) ?? []), { id: lease.id, unspent: lease.units - lease.spent }]);
}

function countHandBack(keyId: string): void {
  if (handedBack.size >= MAX_REMEMBERED) handedBack.clear();
  handedBack.set(keyId, (handedBack.get(keyId) ?? 0) + 1);
}

/** One exact decision from the key's limiter, handing back ended leases with it. Throws when unreachable. */
async function check(
  c: StepContext,
  keyId: string,
  limits: Limits,
  requestId: string,
  wantLease: boolean,
): Promise<{ verdict: Verdict; handedBack: boolean }> {
  holderId ??= crypto.randomUUID();
  const release = returns.get(keyId);
  returns.delete(keyId);
  try {
    const verdict = await limiter(c.env, keyId).check({
      requestId,
      now: Date.now(),
      ...limits,
      key: { id: keyId, projectId: c.get('principal').projectId },
      ...(wantLease ? { leaseFor: holderId } : {}),
      ...(release ? { release } : {}),
    });
    if (release) countHandBack(keyId);
    return { verdict, handedBack: release !== undefined };
  } catch (error) {
    if (release) returns.set(keyId, [...release, ...(returns.get(keyId) ?? [])]);
    throw error;
  }
}

/** Counts a call of the key; hot = more than LEASE_AFTER calls in this second or the last. */
function noteCall(keyId: string, now: number): boolean {
  const second = Math.floor(now / 1000);
  const seen = recentCalls.get(keyId);
  if (seen === undefined) {
    if (recentCalls.size >= MAX_REMEMBERED) recentCalls.clear();
    recentCalls.set(keyId, { second, n: 1, previous: 0 });
    return false;
  }
  if (seen.second !== second) {
    seen.previous = seen.second === second - 1 ? seen.n : 0;
    seen.second = second;
    seen.n = 0;
  }
  seen.n++;
  return seen.n > LEASE_AFTER || seen.previous > LEASE_AFTER;
}

/**
 * Ends the key's lease (when it has expired, or at once with `now: true` — before the admin API
 * reads an exact `remaining`, or after limits changed) and hands back what was not spent.
 */
export async function returnLeases(env: Env, keyId: string, opts: { now?: boolean } = {}): Promise<void> {
  const lease = leases.get(keyId);
  if (lease !== undefined && (opts.now === true || lease.expiresAt <= Date.now())) endLease(keyId);
  const pending = returns.get(keyId);
  if (pending === undefined) return;
  returns.delete(keyId);
  try {
    await limiter(env, keyId).release(pending);
    countHandBack(keyId);
  } catch (error) {
    returns.set(keyId, [...pending, ...(returns.get(keyId) ?? [])]);
    log('warn', 'lease return failed; kept for the next check', { keyId, error: String(error) });
  }
}

export async function enforceLimits(c: StepContext): Promise<Response | undefined> {
  const principal = c.get('principal');
  const limits = principal.limits;
  if (limits === null) return undefined;
  const keyId = principal.keyId;
  const now = Date.now();
  const hot = noteCall(keyId, now);
  const fromLease = spendLease(keyId, limits, now);
  if (fromLease !== undefined) {
    c.set('rateLimit', fromLease);
    return undefined;
  }
  if (leases.has(keyId)) endLease(keyId); // expired, spent, or granted under other limits
  const remembered = overLimit.get(keyId);
  if (remembered !== undefined) {
    if (remembered.until > now) return refusal(c, remembered.verdict, Math.max(1, Math.ceil((remembered.until - now) / 1000)));
    overLimit.delete(keyId);
  }
  const wantLease = hot && !leases.has(keyId);
  const handBacks = handedBack.get(keyId) ?? 0;
  let verdict: Verdict;
  try {
    const first = await check(c, keyId, limits, c.get('requestId'), wantLease);
    verdict = first.verdict;
    // (Remainders this check handed back were given back before it was decided.)
    const ownHandBack = first.handedBack ? 1 : 0;
    if (!verdict.allowed) {
      // A lease granted to a call that was answered meanwhile still holds calls reserved for us.
      const reserved = spendLease(keyId, limits, Date.now());
      if (reserved !== undefined) {
        c.set('rateLimit', reserved);
        return undefined;
      }
      // Calls this isolate held in reserve were counted by that refusal, or handed back while it
      // was on its way: hand back what is left and ask once more, so leases never cost a call.
      if (leases.has(keyId) || returns.has(keyId) || (handedBack.get(keyId) ?? 0) - ownHandBack !== handBacks) {
        endLease(keyId);
        verdict = (await check(c, keyId, limits, `${c.get('requestId')}/again`, false)).verdict;
      }
    }
  } catch (error) {
    log('error', 'limiter unavailable', { requestId: c.get('requestId'), keyId, error: String(error) });
    return refuse(c, 'auth-unavailable', { headers: { 'Retry-After': AUTH_RETRY_AFTER } });
  }
  if (!verdict.allowed) {
    if (overLimit.size >= MAX_REMEMBERED) overLimit.clear();
    overLimit.set(keyId, { until: now + verdict.retryAfter * 1000, verdict });
    return refusal(c, verdict, verdict.retryAfter);
  }
  if (verdict.lease !== undefined) {
    const lease: HeldLease = { ...verdict.lease, keyId, limits, spent: 0 };
    endLease(keyId);
    leases.set(keyId, lease);
    const env = c.env;
    // Hand back what is left once it ends, even if no other call of this key comes.
    c.executionCtx.waitUntil(
      new Promise((resolve) => setTimeout(resolve, Math.max(0, lease.expiresAt - Date.now()) + 5)).then(() =>
        leases.get(keyId) === lease ? returnLeases(env, keyId) : undefined,
      ),
    );
  }
  c.set('rateLimit', verdict.policies);
  return undefined;
}

/** Forget remembered refusals (after a key's limits changed here, and in tests). */
export function forgetRefusals(keyId?: string): void {
  if (keyId === undefined) {
    overLimit.clear();
    recentCalls.clear();
  } else {
    overLimit.delete(keyId);
    recentCalls.delete(keyId);
  }
}

/** For tests: the lease this isolate holds for a key. */
export function heldLease(keyId: string): { units: number; spent: number; expiresAt: number } | undefined {
  return leases.get(keyId);
}
