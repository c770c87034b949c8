// Step 11: rate limits and quotas, after the scope check (a 403 consumes nothing). Keys without
// limits cost nothing here. Keys with limits get an exact decision from their KeyLimiter; a key
// that was refused is refused from memory until its window frees a call. The limiter unreachable
// or overloaded ⇒ 503 auth-unavailable: hard limits fail closed, never open.
//
// A key this isolate calls often (more than LEASE_AFTER calls a second) asks for a lease with its
// next check: a block of calls reserved in the limiter that this isolate spends from memory until
// the lease ends, then hands back what it did not spend (waitUntil, or with the next check;
// lease-holder.ts). A refusal is final only when nothing this isolate holds or hands back could
// have admitted the call: refusals wait for this isolate's lease grants and hand-backs in flight and
// ask again when calls were freed, and a remembered refusal is forgotten as soon as calls are freed.

import { log } from '../../log';
import { limitsFor } from '../../core/limits';
import { refuse, type StepContext } from '../step';
import { AUTH_RETRY_AFTER } from './api-key-auth';
import { check, endLease, freedCount, holdsCalls, settled, spendLease, type Limits } from '../lease-holder';
import type { LimitHeaders, Verdict } from '../../objects/limiter/types';
import { refusalHeaders, refusalPolicies } from '../proxy/ratelimit-fields';
import { MAX_REMEMBERED, type Refusal, type ShownRefusal } from '../memory';
import { noteCall, overLimit } from '../memory/limit-refusals';

/** Times a refused call asks again because this isolate freed calls meanwhile (each ask is exact). */
const MAX_ASKS = 3;

function refusalDetail(verdict: Refusal, cost: number): string {
  if (verdict.reason === 'rate-limited') return `Rate limit "${verdict.name}" reached`;
  if (verdict.name === 'credits') return cost === 0 ? 'No credits left' : `Not enough credits left for this call (it costs ${cost})`;
  return `The ${verdict.name}ly quota is used up`;
}

/** The 429 of `verdict`, `retryAfter` seconds before its limit frees a call, for a call of `cost`. */
function shown(verdict: Refusal, retryAfter: number, cost: number): ShownRefusal {
  const policies = refusalPolicies(verdict, retryAfter);
  const options = { detail: refusalDetail(verdict, cost), headers: refusalHeaders(verdict, policies, retryAfter) };
  return { retryAfter, policies, options };
}

function refusal(c: StepContext, verdict: Refusal, answer: ShownRefusal): Response {
  c.set('rateLimit', answer.policies); // what the verifiers report of a 429 (src/verify/outcome.ts)
  return refuse(c, verdict.reason, answer.options);
}

/**
 * After a refusal: this isolate's lease grants and hand-backs on their way are awaited, then a call
 * from the lease is taken, or — when calls of this isolate were freed since `freedBefore` (or it still
 * holds some) — the limiter is asked again, so that leases never cost a call. The verdict, or the
 * limits after a call spent from the lease.
 */
async function afterRefusal(
  c: StepContext,
  keyId: string,
  limits: Limits,
  first: Verdict,
  freedBefore: number,
): Promise<Verdict | LimitHeaders[]> {
  let verdict = first;
  let seen = freedBefore;
  for (let ask = 1; !verdict.allowed && ask <= MAX_ASKS; ask++) {
    await settled(keyId);
    const reserved = spendLease(keyId, limits, Date.now());
    if (reserved !== undefined) return reserved;
    if (!holdsCalls(keyId) && freedCount(keyId) === seen) break;
    endLease(keyId); // expired, spent, or granted under other limits: its rest goes back with this ask
    const before = freedCount(keyId);
    const again = await check(c, keyId, limits, `${c.get('requestId')}/again${ask}`, false);
    verdict = again.verdict;
    // Its own hand-back was applied before it was decided; only calls freed by others count.
    seen = before + (again.handedBack ? 1 : 0);
  }
  return verdict;
}

export async function enforceLimits(c: StepContext): Promise<Response | undefined> {
  const keyLimits = c.get('principal').limits;
  if (keyLimits === null) return undefined;
  // The call's own limits: windows naming other route rules left out, priced by its rule's cost.
  const limits = limitsFor(keyLimits, c.get('routeRule'));
  if (limits === null) return undefined;
  // Leases, refusals and call counts belong to the slot: every key counted by the same meter shares them.
  const keyId = limits.slot;
  const now = Date.now();
  const hot = noteCall(keyId, now);
  const fromLease = spendLease(keyId, limits, now);
  if (fromLease !== undefined) {
    c.set('rateLimit', fromLease);
    return undefined;
  }
  endLease(keyId); // expired, spent, or granted under other limits
  const remembered = overLimit.get(keyId);
  if (remembered !== undefined) {
    const stillTrue =
      remembered.until > now && remembered.freed === freedCount(keyId) && remembered.limits === limits.fingerprint && !holdsCalls(keyId);
    if (stillTrue) {
      // A refusal repeated from memory is built once per second of its Retry-After (its cost is the fingerprint's).
      const retryAfter = Math.max(1, Math.ceil((remembered.until - now) / 1000));
      let answer = remembered.shown;
      if (answer?.retryAfter !== retryAfter) remembered.shown = answer = shown(remembered.verdict, retryAfter, limits.cost);
      return refusal(c, remembered.verdict, answer);
    }
    overLimit.delete(keyId);
  }
  const freedBefore = freedCount(keyId);
  let verdict: Verdict;
  try {
    const first = await check(c, keyId, limits, c.get('requestId'), hot);
    const decided = first.verdict.allowed
      ? first.verdict
      : await afterRefusal(c, keyId, limits, first.verdict, freedBefore + (first.handedBack ? 1 : 0));
    if (!('allowed' in decided)) {
      c.set('rateLimit', decided);
      return undefined;
    }
    verdict = decided;
  } catch (error) {
    log('error', 'limiter unavailable', {
      requestId: c.get('requestId'),
      keyId: c.get('principal').keyId,
      meter: limits.meter,
      error: String(error),
    });
    return refuse(c, 'auth-unavailable', { headers: { 'Retry-After': AUTH_RETRY_AFTER } });
  }
  if (!verdict.allowed) {
    if (overLimit.size >= MAX_REMEMBERED) overLimit.clear();
    const answer = shown(verdict, verdict.retryAfter, limits.cost);
    overLimit.set(keyId, {
      until: now + verdict.retryAfter * 1000,
      verdict,
      freed: freedCount(keyId),
      limits: limits.fingerprint,
      shown: answer,
    });
    return refusal(c, verdict, answer);
  }
  c.set('rateLimit', verdict.policies);
  return undefined;
}
