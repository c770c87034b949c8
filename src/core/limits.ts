// The limits one call is checked against: the key record's effective limits (the holder's own where
// set, else its plan's — resolved by the registry), narrowed to the call's route rule (windows that
// name route rules count only those) and priced by the rule's cost. Pure; compiled once per record
// and route rule, so the request path only looks a variant up.

import type { Credits, Quota, RateLimit } from './key-record';
import type { RouteRule } from './route-rules';

/** A call's limits, as the KeyLimiter `meter` decides them and an isolate's lease `slot` holds them. */
export interface Limits {
  meter: string;
  /** Where this isolate keeps leases and refusals: the meter, or meter#variant for a route's own set. */
  slot: string;
  rateLimits: RateLimit[];
  quota: Quota | null;
  credits: Credits | null;
  /** Credits this call spends (the route rule's cost, default 1; 0 only checks). */
  cost: number;
  /** Equal for equal limits on the same meter: a lease is spent only under the limits it was granted for. */
  fingerprint: string;
}

/** A key's effective limits, with the variant for each route rule compiled on first use. */
export interface KeyLimits {
  meter: string;
  rateLimits: RateLimit[];
  quota: Quota | null;
  credits: Credits | null;
  variants: Map<number, Limits | null>;
}

/** Null for a record without any limit: such keys never call a limiter. */
export function keyLimits(record: {
  meter: string;
  rateLimits: RateLimit[];
  quota: Quota | null;
  credits: Credits | null;
}): KeyLimits | null {
  const { meter, rateLimits, quota, credits } = record;
  if (rateLimits.length === 0 && quota === null && credits === null) return null;
  return { meter, rateLimits, quota, credits, variants: new Map() };
}

/** Whether window `limit` counts calls of `rule` (a window naming no rules counts every call). */
export function windowApplies(limit: RateLimit, rule: RouteRule | undefined): boolean {
  return limit.routes === undefined || (rule !== undefined && limit.routes.includes(rule.name));
}

function compileVariant(key: KeyLimits, rule: RouteRule | undefined): Limits | null {
  const rateLimits = key.rateLimits.filter((l) => windowApplies(l, rule));
  if (rateLimits.length === 0 && key.quota === null && key.credits === null) return null;
  const cost = key.credits === null ? 1 : (rule?.cost ?? 1);
  const variant = `${rateLimits.map((l) => l.name).join(',')}|${cost}`;
  const base = `${key.rateLimits
    .filter((l) => l.routes === undefined)
    .map((l) => l.name)
    .join(',')}|1`;
  const slot = variant === base ? key.meter : `${key.meter}#${variant}`;
  const fingerprint = JSON.stringify([rateLimits, key.quota, key.credits, cost]);
  return { meter: key.meter, slot, rateLimits, quota: key.quota, credits: key.credits, cost, fingerprint };
}

/** The limits of a call of `rule` (null: nothing to check), compiled once per key and rule. */
export function limitsFor(key: KeyLimits, rule: RouteRule | undefined): Limits | null {
  const index = rule?.index ?? -1;
  let found = key.variants.get(index);
  if (found === undefined && !key.variants.has(index)) {
    found = compileVariant(key, rule);
    key.variants.set(index, found);
  }
  return found ?? null;
}

/** The meter a slot belongs to. */
export function meterOf(slot: string): string {
  const hash = slot.indexOf('#');
  return hash === -1 ? slot : slot.slice(0, hash);
}
