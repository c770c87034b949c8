// The key record as the edge reads it from KV (`key:<hash>`): no plaintext, no hash inside.
// A record that does not parse is a fault (503), never "allow" and never "all scopes".

import { ENVIRONMENTS, type Environment } from './key-format';

/**
 * v2 added rateLimits and quota; v3 credits, the meter, the customer and per-route windows. Older
 * records are still read (as holding no credits, metered by their own id), for mixed deploys.
 */
export const KEY_RECORD_VERSION = 3;
/** How long KV may go on serving an older record after a change (Cloudflare: up to 60 s), plus margin. */
export const KV_STALENESS_MS = 70_000;
export type EdgeKeyStatus = 'active' | 'disabled' | 'revoked';

export interface RateLimit {
  name: string;
  limit: number;
  windowSeconds: number;
  /** Route rules (by name, "POST /forms/:id") the window counts; absent: every call. */
  routes?: string[];
}

/** Credit refill at each UTC day or month boundary: `to` sets the balance to amount, `by` adds amount. */
export interface CreditRefill {
  period: 'day' | 'month';
  mode: 'to' | 'by';
  amount: number;
}

/** A credit balance: `initial` the first time its meter sees it, then spent by each call's cost. */
export interface Credits {
  initial: number;
  refill: CreditRefill | null;
}

/** The customer a key belongs to, as the origin is told. */
export interface CustomerRef {
  id: string;
  externalId: string;
}

export interface Quota {
  limit: number;
  period: 'day' | 'month';
}

export interface KeyRecord {
  v: typeof KEY_RECORD_VERSION;
  id: string;
  projectId: string;
  environment: Environment;
  scopes: string[];
  status: EdgeKeyStatus;
  /** Epoch milliseconds, or null for a key that does not expire. */
  expiresAt: number | null;
  /** CIDR ranges; null or empty means any address. */
  ipAllowlist: string[] | null;
  /** Sliding windows, at most 5; empty: no rate limit. */
  rateLimits: RateLimit[];
  quota: Quota | null;
  /** The effective limits below are the holder's own where set, else its plan's (the registry resolves them). */
  credits: Credits | null;
  /**
   * The KeyLimiter that counts the call: the customer's id for a key of a customer, else the key's
   * meter (its own id, or for a rotated key its predecessor's, so both spend one set of counters).
   */
  meter: string;
  customer: CustomerRef | null;
}

export class CorruptRecordError extends Error {
  constructor(what: string) {
    super(`corrupt key record: ${what}`);
    this.name = 'CorruptRecordError';
  }
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((s) => typeof s === 'string');
}

function isRateLimit(value: unknown): value is RateLimit {
  const l = value as RateLimit;
  return (
    typeof l === 'object' &&
    l !== null &&
    typeof l.name === 'string' &&
    Number.isInteger(l.limit) &&
    l.limit > 0 &&
    Number.isInteger(l.windowSeconds) &&
    l.windowSeconds > 0 &&
    isRouteList(l.routes)
  );
}

function isRouteList(value: unknown): boolean {
  return value === undefined || isStringArray(value);
}

function isCredits(value: unknown): value is Credits {
  const c = value as Credits;
  if (typeof c !== 'object' || c === null || !Number.isInteger(c.initial) || c.initial < 0) return false;
  const r = c.refill;
  if (r === null) return true;
  return (
    typeof r === 'object' &&
    (r.period === 'day' || r.period === 'month') &&
    (r.mode === 'to' || r.mode === 'by') &&
    Number.isInteger(r.amount)
  );
}

function isCustomer(value: unknown): value is CustomerRef {
  const c = value as CustomerRef;
  return typeof c === 'object' && c !== null && typeof c.id === 'string' && typeof c.externalId === 'string';
}

function isQuota(value: unknown): value is Quota {
  const q = value as Quota;
  return typeof q === 'object' && q !== null && Number.isInteger(q.limit) && q.limit > 0 && (q.period === 'day' || q.period === 'month');
}

/** Validates a parsed KV value; throws CorruptRecordError on anything unexpected. */
export function toKeyRecord(value: unknown): KeyRecord {
  if (typeof value !== 'object' || value === null) throw new CorruptRecordError('not an object');
  const r = value as Record<string, unknown>;
  if (r.v !== KEY_RECORD_VERSION && r.v !== 2 && r.v !== 1) throw new CorruptRecordError(`unknown version ${String(r.v)}`);
  if (typeof r.id !== 'string' || typeof r.projectId !== 'string') throw new CorruptRecordError('ids');
  if (!ENVIRONMENTS.includes(r.environment as Environment)) throw new CorruptRecordError('environment');
  if (!isStringArray(r.scopes)) throw new CorruptRecordError('scopes');
  if (r.status !== 'active' && r.status !== 'disabled' && r.status !== 'revoked') throw new CorruptRecordError('status');
  if (r.expiresAt !== null && typeof r.expiresAt !== 'number') throw new CorruptRecordError('expiresAt');
  if (r.ipAllowlist !== null && !isStringArray(r.ipAllowlist)) throw new CorruptRecordError('ipAllowlist');
  const older = { credits: null, meter: r.id, customer: null, v: KEY_RECORD_VERSION } as const;
  if (r.v === 1) return { ...(r as unknown as KeyRecord), ...older, rateLimits: [], quota: null };
  if (!Array.isArray(r.rateLimits) || !r.rateLimits.every(isRateLimit)) throw new CorruptRecordError('rateLimits');
  if (r.quota !== null && !isQuota(r.quota)) throw new CorruptRecordError('quota');
  if (r.v === 2) return { ...(r as unknown as KeyRecord), ...older };
  if (r.credits !== null && !isCredits(r.credits)) throw new CorruptRecordError('credits');
  if (typeof r.meter !== 'string' || r.meter === '') throw new CorruptRecordError('meter');
  if (r.customer !== null && !isCustomer(r.customer)) throw new CorruptRecordError('customer');
  return r as unknown as KeyRecord;
}

/** What a sighting of a real key in public does to it (EXPOSED_KEY_POLICY, LEAKED_KEY_POLICY). */
export type ExposurePolicy = 'revoke' | 'disable' | 'flag';
