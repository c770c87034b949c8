// Leases never cost a call. E38 (300 parallel calls, quota 100) admitted 99 on
// a loaded machine: a call was refused for good while calls of this isolate were on their way — a
// lease being granted, or an expired lease's unspent calls being handed back — and those calls were
// then used by nobody. These tests put the limiter calls in that order on purpose (steeredLimiter
// holds one of them until the test lets it go), so the race happens on every run, loaded or not.

import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { heldLease } from '../src/edge/lease-holder';
import type { LimitCheck } from '../src/objects/limiter/types';
import { createKey } from './helpers/admin';
import { gatewayNoWait, newTag, originCalls, withKey } from './helpers/gateway';
import { gate, signal, steeredLimiter } from './helpers/limiter';

const QUOTA = { limit: 40, period: 'month' as const };

async function status(res: Promise<Response>): Promise<number> {
  const r = await res;
  await r.arrayBuffer();
  return r.status;
}

/** Uses up what is left of the key's quota from "another isolate" (straight to its limiter); how many. */
async function fillFromElsewhere(keyId: string): Promise<number> {
  const stub = env.LIMITER.get(env.LIMITER.idFromName(keyId));
  let n = 0;
  const input = (): LimitCheck => ({ requestId: `elsewhere-${keyId}-${n}`, now: Date.now(), rateLimits: [], quota: QUOTA });
  while ((await stub.check(input())).allowed) n++;
  return n;
}

/** Calls until the isolate is refused; how many were admitted. */
async function callsUntilRefused(key: string, tag: string, overrides: Record<string, unknown>): Promise<number> {
  let admitted = 0;
  while ((await status(gatewayNoWait('/forms/1', withKey(key, tag), overrides))) === 200) admitted++;
  return admitted;
}

describe('leases never cost a call', () => {
  it('a call refused while its isolate is being granted a lease is served from that lease', async () => {
    const key = await createKey({ quota: QUOTA });
    const tag = newTag();
    const holdGrant = gate();
    const granted = signal();
    const refused = signal();
    let holding = false;
    const LIMITER = steeredLimiter(env.LIMITER, {
      async answered(input, verdict) {
        if (verdict.allowed && verdict.lease !== undefined && !holding) {
          holding = true;
          granted.fire();
          await holdGrant.opened; // the answer that carries the lease is late
        } else if (!verdict.allowed) refused.fire();
      },
    });
    const o = { LIMITER };
    // A hot key asks for a lease with its next check; that answer is held.
    let leased: Promise<number> | undefined;
    let admitted = 0;
    for (let i = 0; i < 50 && leased === undefined; i++) {
      const call = status(gatewayNoWait('/forms/1', withKey(key.key, tag), o));
      const first = await Promise.race([call.then(() => 'answered' as const), granted.happened.then(() => 'granted' as const)]);
      if (first === 'granted') leased = call;
      else expect(await call).toBe(200);
      admitted++;
    }
    expect(leased).toBeDefined();
    const elsewhere = await fillFromElsewhere(key.id);
    // The limiter is full (part of it reserved for the lease on its way): this call is refused there…
    const refusedThere = status(gatewayNoWait('/forms/1', withKey(key.key, tag), o));
    await refused.happened;
    holdGrant.open();
    // …and admitted here, from the lease that arrives after its refusal.
    expect(await refusedThere).toBe(200);
    expect(await leased).toBe(200);
    const rest = await callsUntilRefused(key.key, tag, o);
    expect(admitted + 1 + rest + elsewhere).toBe(QUOTA.limit);
    expect(await originCalls(tag)).toHaveLength(admitted + 1 + rest);
  });

  it('a call refused while its isolate hands unspent calls back asks again once they are back', async () => {
    const key = await createKey({ quota: QUOTA });
    const tag = newTag();
    const holdRelease = gate();
    const releasing = signal();
    const refused = signal();
    const LIMITER = steeredLimiter(env.LIMITER, {
      async releasing(returns) {
        if (!returns.some((r) => r.unspent > 0)) return;
        releasing.fire();
        await holdRelease.opened; // the hand-back is on its way for a while
      },
      answered: (_input, verdict) => (verdict.allowed ? undefined : refused.fire()),
    });
    const o = { LIMITER };
    let admitted = 0;
    for (let i = 0; i < 50 && heldLease(key.id) === undefined; i++) {
      expect(await status(gatewayNoWait('/forms/1', withKey(key.key, tag), o))).toBe(200);
      admitted++;
    }
    const units = heldLease(key.id)?.units ?? 0;
    expect(units).toBeGreaterThanOrEqual(2);
    const elsewhere = await fillFromElsewhere(key.id);
    // The lease expires unspent; its timer hands the calls back, held on the way.
    await releasing.happened;
    const refusedThere = status(gatewayNoWait('/forms/1', withKey(key.key, tag), o));
    await refused.happened;
    holdRelease.open();
    expect(await refusedThere).toBe(200);
    // The other handed-back calls are admitted too, not refused from a remembered refusal.
    const rest = await callsUntilRefused(key.key, tag, o);
    expect(rest).toBe(units - 1);
    expect(admitted + 1 + rest + elsewhere).toBe(QUOTA.limit);
    expect(await originCalls(tag)).toHaveLength(admitted + 1 + rest);
  });
});
