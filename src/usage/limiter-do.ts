// KeyLimiter: one SQLite Durable Object per key with limits, deciding every call exactly. The object
// is single-threaded and each decision is synchronous SQL, so 300 parallel calls against a quota of
// 100 admit exactly 100. Sliding windows keep a log of admitted calls; a refused call is recorded
// nowhere (it consumes no window and no quota). Decisions are remembered by request id, so a retried
// call is answered the same and never counted twice.

import { DurableObject } from 'cloudflare:workers';
import type { Quota, RateLimit } from '../keys/record';
import { periodOf } from './periods';

export interface LimitCheck {
  requestId: string;
  now: number;
  rateLimits: RateLimit[];
  quota: Quota | null;
}

export interface LimitHeaders {
  limit: number;
  remaining: number;
  /** Seconds until the tightest limit frees a call (window) or resets (quota). */
  reset: number;
}

export type Verdict =
  | { allowed: true; headers: LimitHeaders }
  | { allowed: false; reason: 'rate-limited' | 'quota-exceeded'; name: string; headers: LimitHeaders; retryAfter: number };

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS hits (window TEXT NOT NULL, at INTEGER NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS hits_by_window ON hits (window, at)`,
  `CREATE TABLE IF NOT EXISTS quota_use (period_key TEXT PRIMARY KEY, used INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS decisions (request_id TEXT PRIMARY KEY, at INTEGER NOT NULL, verdict TEXT NOT NULL)`,
];
const DECISION_MEMORY_MS = 5 * 60_000;

export class KeyLimiter extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    for (const statement of SCHEMA) this.sql.exec(statement);
  }

  check(input: LimitCheck): Verdict {
    const known = this.sql.exec<{ verdict: string }>(`SELECT verdict FROM decisions WHERE request_id = ?`, input.requestId).toArray()[0];
    if (known !== undefined) return JSON.parse(known.verdict) as Verdict;
    const verdict = this.decide(input);
    this.sql.exec(`INSERT INTO decisions (request_id, at, verdict) VALUES (?, ?, ?)`, input.requestId, input.now, JSON.stringify(verdict));
    this.sql.exec(`DELETE FROM decisions WHERE at < ?`, input.now - DECISION_MEMORY_MS);
    return verdict;
  }

  /** Calls left in the quota's current period (exact). */
  quotaRemaining(quota: Quota, now: number): number {
    return quota.limit - this.used(periodOf(quota.period, now).key);
  }

  private decide({ now, rateLimits, quota }: LimitCheck): Verdict {
    const windows = rateLimits.map((l) => {
      const since = now - l.windowSeconds * 1000;
      this.sql.exec(`DELETE FROM hits WHERE window = ? AND at <= ?`, l.name, since);
      const row = this.sql
        .exec<{ n: number; oldest: number | null }>(`SELECT COUNT(*) AS n, MIN(at) AS oldest FROM hits WHERE window = ?`, l.name)
        .one();
      const frees = row.oldest === null ? l.windowSeconds : Math.max(1, Math.ceil((row.oldest + l.windowSeconds * 1000 - now) / 1000));
      return { l, used: row.n, frees };
    });
    const period = quota ? periodOf(quota.period, now) : null;
    const quotaUsed = period ? this.used(period.key) : 0;
    const quotaResets = period ? Math.max(1, Math.ceil((period.endsAt - now) / 1000)) : 0;

    for (const w of windows) {
      if (w.used >= w.l.limit) {
        const headers = { limit: w.l.limit, remaining: 0, reset: w.frees };
        return { allowed: false, reason: 'rate-limited', name: w.l.name, headers, retryAfter: w.frees };
      }
    }
    if (quota && period && quotaUsed >= quota.limit) {
      const headers = { limit: quota.limit, remaining: 0, reset: quotaResets };
      return { allowed: false, reason: 'quota-exceeded', name: quota.period, headers, retryAfter: quotaResets };
    }

    for (const w of windows) this.sql.exec(`INSERT INTO hits (window, at) VALUES (?, ?)`, w.l.name, now);
    if (period)
      this.sql.exec(
        `INSERT INTO quota_use (period_key, used) VALUES (?, 1) ON CONFLICT (period_key) DO UPDATE SET used = used + 1`,
        period.key,
      );

    // The headers describe the tightest limit after this call.
    const candidates: LimitHeaders[] = windows.map((w) => ({
      limit: w.l.limit,
      remaining: w.l.limit - w.used - 1,
      reset: w.used === 0 ? w.l.windowSeconds : w.frees,
    }));
    if (quota) candidates.push({ limit: quota.limit, remaining: quota.limit - quotaUsed - 1, reset: quotaResets });
    const tightest = candidates.reduce((a, b) => (b.remaining < a.remaining ? b : a));
    return { allowed: true, headers: tightest };
  }

  private used(periodKey: string): number {
    return this.sql.exec<{ used: number }>(`SELECT used FROM quota_use WHERE period_key = ?`, periodKey).toArray()[0]?.used ?? 0;
  }
}
