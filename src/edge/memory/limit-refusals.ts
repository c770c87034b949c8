// What this isolate remembers of its keys' limits: the refusals it repeats from memory, and how
// often each key was called in the last two seconds (to know when to ask for a lease).

import type { Verdict } from '../../objects/limiter/types';

export const MAX_REMEMBERED = 10_000;
/** Calls of one key within a second before this isolate asks for leases. */
export const LEASE_AFTER = 4;

export type Refusal = Extract<Verdict, { allowed: false }>;

/**
 * keyId → the refusal to repeat, until when — while this isolate frees no call of the key (`freed`
 * is freedCount() when it was remembered): calls handed back make room the memory knows nothing of.
 */
export const overLimit = new Map<string, { until: number; verdict: Refusal; freed: number }>();
/** keyId → calls in the current second and the one before. */
const recentCalls = new Map<string, { second: number; n: number; previous: number }>();

/** Counts a call of the key; hot = more than LEASE_AFTER calls in this second or the last. */
export function noteCall(keyId: string, now: number): boolean {
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
