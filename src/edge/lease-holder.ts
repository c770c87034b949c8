// This isolate's side of KeyLimiter leases (limiter-do.ts): the blocks of calls it holds, spends
// locally and hands back, and the limiter calls that move capacity between it and the limiter.
//
// Exactness needs one more thing than the limiter's own bookkeeping: a call refused while capacity
// of this isolate is on its way — a lease being granted, unspent calls being handed back — must not
// be refused for good, or those calls are lost: the lease ends unspent, the hand-back frees calls
// nobody asks for, and 300 parallel calls against a quota of 100 admit 99.
// So every such limiter call is tracked while in flight (`settled` waits for them), and `freedCount`
// counts the events that made calls available to this isolate (a lease registered, a hand-back
// done), for a refused call to tell whether something was freed after its own check was sent.

import { meterOf, type Limits } from '../core/limits';
import { withDeadline } from '../core/deadline';
import { log } from '../log';
import type { StepContext } from './step';
import { limiter } from '../objects/limiter/client';
import { CREDITS_POLICY, LEASE_MS, type Lease, type LeaseReturn, type LimitHeaders, type Verdict } from '../objects/limiter/types';
import { MAX_REMEMBERED, memory, type HeldLease } from './memory';

/** How long a refused call waits for this isolate's lease grants and hand-backs in flight. */
const SETTLE_WAIT_MS = 2_000;
/** A hand-back not acknowledged in this long is kept for the next check (the limiter takes each lease's end once). */
const RETURN_TIMEOUT_MS = 10_000;

// Every map here is keyed by the limits' slot (core/limits.ts): the meter — the key, its rotation
// line or its customer, so all keys of one customer share this isolate's lease — or meter#variant.
export type { Limits };

const { held: leases, returns, freed, inFlight } = memory.leases;

export function freedCount(keyId: string): number {
  return freed.get(keyId) ?? 0;
}

function noteFreed(keyId: string): void {
  if (freed.size >= MAX_REMEMBERED && !freed.has(keyId)) freed.clear();
  freed.set(keyId, freedCount(keyId) + 1);
}

/** True while this isolate holds calls of the key that the limiter counts as used: a lease, or returns with calls left. */
export function holdsCalls(keyId: string): boolean {
  return leases.has(keyId) || (returns.get(keyId)?.some((r) => r.unspent > 0) ?? false);
}

function track<T>(keyId: string, call: PromiseLike<T>): Promise<T> {
  const promise = Promise.resolve(call);
  let set = inFlight.get(keyId);
  if (set === undefined) inFlight.set(keyId, (set = new Set()));
  set.add(promise);
  const done = () => {
    set.delete(promise);
    if (set.size === 0 && inFlight.get(keyId) === set) inFlight.delete(keyId);
  };
  promise.then(done, done);
  return promise;
}

/**
 * Waits (at most SETTLE_WAIT_MS) for this isolate's lease grants and hand-backs of the key that are
 * on their way. The timer is this request's own I/O: workerd would otherwise take a request that
 * waits on another request's call for hung.
 */
export async function settled(keyId: string): Promise<void> {
  const set = inFlight.get(keyId);
  if (set === undefined || set.size === 0) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const cap = new Promise<void>((resolve) => (timer = setTimeout(resolve, SETTLE_WAIT_MS)));
  await Promise.race([Promise.allSettled([...set]), cap]);
  if (timer !== undefined) clearTimeout(timer);
}

/** Spends one call of the key's lease, if it has a live one for these limits; the limits after it. */
export function spendLease(keyId: string, limits: Limits, now: number): LimitHeaders[] | undefined {
  const lease = leases.get(keyId);
  if (lease === undefined || lease.limits.fingerprint !== limits.fingerprint || lease.expiresAt <= now || lease.spent >= lease.units)
    return undefined;
  lease.spent++;
  return lease.headers.map((h) => ({
    ...h,
    remaining: Math.max(0, h.remaining - lease.spent * (h.policy === CREDITS_POLICY ? limits.cost : 1)),
  }));
}

/**
 * Stops spending the key's lease and queues its end for the limiter: what is left goes back, and
 * even a spent lease is reported, so the limiter may grant this isolate the next one at once.
 */
export function endLease(keyId: string): void {
  const lease = leases.get(keyId);
  if (lease === undefined) return;
  leases.delete(keyId);
  returns.set(keyId, [...(returns.get(keyId) ?? []), { id: lease.id, unspent: lease.units - lease.spent }]);
}

/** Holds a lease the limiter granted; its unspent part goes back once it ends, even if no other call comes. */
function holdLease(c: StepContext, keyId: string, granted: Lease, limits: Limits): void {
  const lease: HeldLease = { ...granted, limits, spent: 0 };
  endLease(keyId);
  leases.set(keyId, lease);
  noteFreed(keyId);
  const env = c.env;
  // Never longer than a lease lasts: expiresAt is the limiter's clock, and a clock that steps back
  // must not hold this call's waitUntil (and the lease's return) for the size of the step.
  const wait = Math.min(LEASE_MS, Math.max(0, lease.expiresAt - Date.now()));
  c.executionCtx.waitUntil(
    new Promise((resolve) => setTimeout(resolve, wait + 5)).then(() =>
      leases.get(keyId) === lease ? returnLeases(env, keyId) : undefined,
    ),
  );
}

function handedBack(keyId: string, release: LeaseReturn[]): void {
  if (release.some((r) => r.unspent > 0)) noteFreed(keyId);
}

/**
 * One exact decision from the key's limiter, handing back ended leases with it and holding the lease
 * it grants; tracked while in flight when it may move calls to or from this isolate. Throws when the
 * limiter is unreachable or slower than LIMITER_TIMEOUT_MS.
 */
export async function check(
  c: StepContext,
  keyId: string,
  limits: Limits,
  requestId: string,
  wantLease: boolean,
): Promise<{ verdict: Verdict; handedBack: boolean }> {
  const holderId = (memory.leases.holderId ??= crypto.randomUUID());
  const release = returns.get(keyId);
  returns.delete(keyId);
  try {
    const principal = c.get('principal');
    const call: Promise<Verdict> = limiter(c.env, limits.meter).check({
      requestId,
      now: Date.now(),
      rateLimits: limits.rateLimits,
      quota: limits.quota,
      credits: limits.credits,
      cost: limits.cost,
      key: { id: principal.keyId, projectId: principal.projectId, customerId: principal.customer?.id ?? null },
      ...(wantLease ? { leaseFor: holderId } : {}),
      ...(release ? { release } : {}),
    });
    // The lease it grants is held before the tracked promise settles: a refusal waiting in `settled`
    // then finds it, whatever order the two requests resume in.
    const decided = withinDeadline(keyId, call, c.get('config').limiterTimeoutMs).then((verdict) => {
      if (verdict.allowed && verdict.lease !== undefined) holdLease(c, keyId, verdict.lease, limits);
      return verdict;
    });
    const verdict = await (wantLease || release ? track(keyId, decided) : decided);
    if (release) handedBack(keyId, release);
    return { verdict, handedBack: release?.some((r) => r.unspent > 0) ?? false };
  } catch (error) {
    if (release) returns.set(keyId, [...release, ...(returns.get(keyId) ?? [])]);
    throw error;
  }
}

/**
 * `call` within `ms`, or DeadlineError (the caller answers 503: hard limits fail closed). A lease the
 * late answer still grants is handed back whole, so a slow limiter costs no calls but this one.
 */
async function withinDeadline(keyId: string, call: Promise<Verdict>, ms: number): Promise<Verdict> {
  try {
    return await withDeadline(call, ms, 'limiter');
  } catch (error) {
    void call.then(
      (late) => {
        if (late.allowed && late.lease !== undefined)
          returns.set(keyId, [...(returns.get(keyId) ?? []), { id: late.lease.id, unspent: late.lease.units }]);
      },
      () => undefined,
    );
    throw error;
  }
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
    await track(keyId, withDeadline(Promise.resolve(limiter(env, meterOf(keyId)).release(pending)), RETURN_TIMEOUT_MS, 'limiter'));
    handedBack(keyId, pending);
  } catch (error) {
    returns.set(keyId, [...pending, ...(returns.get(keyId) ?? [])]);
    log('warn', 'lease return failed; kept for the next check', { keyId, error: String(error) });
  }
}

/** For tests: the lease this isolate holds for a key. */
export function heldLease(keyId: string): { units: number; spent: number; expiresAt: number } | undefined {
  return leases.get(keyId);
}

/** Ends and hands back every lease this isolate holds on the meter's limiter (before an exact admin read). */
export async function returnMeterLeases(env: Env, meter: string): Promise<void> {
  const slots = new Set([...leases.keys(), ...returns.keys()].filter((slot) => meterOf(slot) === meter));
  slots.add(meter);
  await Promise.all([...slots].map((slot) => returnLeases(env, slot, { now: true })));
}
