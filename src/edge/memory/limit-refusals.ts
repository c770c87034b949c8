// What this isolate remembers of its keys' limits (memory.refusals): the refusals it repeats from
// memory, and how often each key was called in the last two seconds (to know when to ask for a lease).

import { meterOf } from '../../core/limits';
import { MAX_REMEMBERED, memory } from './index';

/** Calls of one key within a second before this isolate asks for leases. */
export const LEASE_AFTER = 4;

export const { overLimit } = memory.refusals;
const { recentCalls } = memory.refusals;

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

/** Forgets the key's remembered refusal and call counts (its limits changed here). */
export function forgetRefusals(keyId: string): void {
  overLimit.delete(keyId);
  recentCalls.delete(keyId);
}

/** Forgets what is remembered for every slot of the meter (its limits changed here). */
export function forgetMeter(meter: string): void {
  for (const map of [overLimit, recentCalls]) {
    for (const slot of [...map.keys()]) if (meterOf(slot) === meter) map.delete(slot);
  }
}
