// What a KeyLimiter takes and answers over RPC, and the two readings of its answer the edge makes
// (the quota's policy name, the tightest limit) for the RateLimit fields.

import type { Credits, Quota, RateLimit } from '../../core/key-record';

export interface LimitCheck {
  requestId: string;
  now: number;
  rateLimits: RateLimit[];
  quota: Quota | null;
  /** The meter's credit balance settings (absent from isolates older than credits: none). */
  credits?: Credits | null;
  /** Credits this call spends (default 1; 0 admits only while the balance is positive, spending none). */
  cost?: number;
  /** The calling isolate, when it asks for a lease with this call. */
  leaseFor?: string;
  /** Unspent calls of earlier leases, handed back. */
  release?: LeaseReturn[];
  /** The key, named in quota webhooks (with its customer: the customer.quota.* events). */
  key?: { id: string; projectId: string; customerId?: string | null };
}

export interface LeaseReturn {
  id: string;
  unspent: number;
}

/** Calls granted to one isolate: `units` more calls until `expiresAt`; `headers` as after this call. */
export interface Lease {
  id: string;
  units: number;
  expiresAt: number;
  headers: LimitHeaders[];
}

/** One limit of the key as the RateLimit fields report it (a policy, in the IETF draft's terms). */
export interface LimitHeaders {
  /** The window's name, or the quota's (quotaPolicy). */
  policy: string;
  /** The window, or the quota's current period, in seconds. */
  window: number;
  limit: number;
  remaining: number;
  /** Seconds until the limit frees a call (window) or resets (quota). */
  reset: number;
}

/** Every limit of the key, windows first, then the quota. */
export type Verdict =
  | { allowed: true; policies: LimitHeaders[]; lease?: Lease }
  | { allowed: false; reason: 'rate-limited' | 'quota-exceeded'; name: string; policies: LimitHeaders[]; retryAfter: number };

/** The quota's policy name (period "day" or "month"): never a window's, whose names cannot hold ":". */
export function quotaPolicy(period: string): string {
  return `quota:${period}`;
}

/** How long a lease may be spent. */
export const LEASE_MS = 1_000;

/** The credit balance's entry among the limits (sent as Keygate-Credits-Remaining, not as a RateLimit policy). */
export const CREDITS_POLICY = 'credits:';

/** The limit that refused: a window's name, the credit balance, or the quota's policy. */
export function refusingPolicy(verdict: Extract<Verdict, { allowed: false }>): string {
  if (verdict.reason === 'rate-limited') return verdict.name;
  return verdict.name === 'credits' ? CREDITS_POLICY : quotaPolicy(verdict.name);
}

/** The limit with the fewest calls left. */
export function tightest(candidates: readonly LimitHeaders[]): LimitHeaders {
  return candidates.reduce((a, b) => (b.remaining < a.remaining ? b : a));
}
