// The key record as the edge reads it from KV (`key:<hash>`): no plaintext, no hash inside.
// A record that does not parse is a fault (503), never "allow" and never "all scopes".

import { ENVIRONMENTS, type Environment } from './format';

export const KEY_RECORD_VERSION = 1;
/** How long KV may go on serving an older record after a change (Cloudflare: up to 60 s), plus margin. */
export const KV_STALENESS_MS = 70_000;
export type EdgeKeyStatus = 'active' | 'disabled' | 'revoked';

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

/** Validates a parsed KV value; throws CorruptRecordError on anything unexpected. */
export function toKeyRecord(value: unknown): KeyRecord {
  if (typeof value !== 'object' || value === null) throw new CorruptRecordError('not an object');
  const r = value as Record<string, unknown>;
  if (r.v !== KEY_RECORD_VERSION) throw new CorruptRecordError(`unknown version ${String(r.v)}`);
  if (typeof r.id !== 'string' || typeof r.projectId !== 'string') throw new CorruptRecordError('ids');
  if (!ENVIRONMENTS.includes(r.environment as Environment)) throw new CorruptRecordError('environment');
  if (!isStringArray(r.scopes)) throw new CorruptRecordError('scopes');
  if (r.status !== 'active' && r.status !== 'disabled' && r.status !== 'revoked') throw new CorruptRecordError('status');
  if (r.expiresAt !== null && typeof r.expiresAt !== 'number') throw new CorruptRecordError('expiresAt');
  if (r.ipAllowlist !== null && !isStringArray(r.ipAllowlist)) throw new CorruptRecordError('ipAllowlist');
  return r as unknown as KeyRecord;
}
