// The key record as the edge reads it from KV (`key:<hash>`): no plaintext, no hash inside.
// A record that does not parse is a fault (503), never "allow" and never "all scopes".

import { ENVIRONMENTS, type Environment } from './key-format';

/** v2 added rateLimits and quota; v1 records (no limits) are still read, for mixed deploys. */
export const KEY_RECORD_VERSION = 2;
/** How long KV may go on serving an older record after a change (Cloudflare: up to 60 s), plus margin. */
export const KV_STALENESS_MS = 70_000;
export type EdgeKeyStatus = 'active' | 'disabled' | 'revoked';

export interface RateLimit {
  name: string;
  limit: number;
  windowSeconds: number;
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
    l.windowSeconds > 0
  );
}

function isQuota(value: unknown): value is Quota {
  const q = value as Quota;
  return typeof q === 'object' && q !== null && Number.isInteger(q.limit) && q.limit > 0 && (q.period === 'day' || q.period === 'month');
}

/** Validates a parsed KV value; throws CorruptRecordError on anything unexpected. */
export function toKeyRecord(value: unknown): KeyRecord {
  if (typeof value !== 'object' || value === null) throw new CorruptRecordError('not an object');
  const r = value as Record<string, unknown>;
  if (r.v !== KEY_RECORD_VERSION && r.v !== 1) throw new CorruptRecordError(`unknown version ${String(r.v)}`);
  if (typeof r.id !== 'string' || typeof r.projectId !== 'string') throw new CorruptRecordError('ids');
  if (!ENVIRONMENTS.includes(r.environment as Environment)) throw new CorruptRecordError('environment');
  if (!isStringArray(r.scopes)) throw new CorruptRecordError('scopes');
  if (r.status !== 'active' && r.status !== 'disabled' && r.status !== 'revoked') throw new CorruptRecordError('status');
  if (r.expiresAt !== null && typeof r.expiresAt !== 'number') throw new CorruptRecordError('expiresAt');
  if (r.ipAllowlist !== null && !isStringArray(r.ipAllowlist)) throw new CorruptRecordError('ipAllowlist');
  if (r.v === 1) return { ...(r as unknown as KeyRecord), v: KEY_RECORD_VERSION, rateLimits: [], quota: null };
  if (!Array.isArray(r.rateLimits) || !r.rateLimits.every(isRateLimit)) throw new CorruptRecordError('rateLimits');
  if (r.quota !== null && !isQuota(r.quota)) throw new CorruptRecordError('quota');
  return r as unknown as KeyRecord;
}

/** What a sighting of a real key in public does to it (EXPOSED_KEY_POLICY, LEAKED_KEY_POLICY). */
export type ExposurePolicy = 'revoke' | 'disable' | 'flag';
