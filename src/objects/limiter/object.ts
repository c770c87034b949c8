// KeyLimiter: one SQLite Durable Object per key with limits, deciding every call exactly. The object
// is single-threaded and each decision is synchronous SQL, so 300 parallel calls against a quota of
// 100 admit exactly 100. Sliding windows keep a log of admitted calls; a refused call is recorded
// nowhere (it consumes no window and no quota). Decisions are remembered by request id, so a retried
// call is answered the same and never counted twice.
//
// With webhooks on, the first call of a quota period that brings the quota to 90 % (quota.low) or
// uses it up (quota.exhausted) queues the event in this object's own small outbox; its alarm hands
// it to the WebhookOutbox. Queuing never delays or changes a decision.
//
// Leases keep a hot key off the ~1,000 calls/s of one object: an isolate that calls often may be
// granted, with an admitted call, a block of further calls that it spends locally for LEASE_MS.
// The block is reserved at once in every window and in the quota (window entries dated at the
// lease's end, so they stay in the window at least as long as the calls they stand for), which keeps
// admission exact: a lease never lets more calls through than the limits allow. What the isolate
// did not spend it returns; near a limit (a block under 2) there are no leases, only per-call checks.

import type { Credits, Quota, RateLimit } from '../../core/key-record';
import { periodOf } from '../../core/periods';
import { log } from '../../log';
import { LocalOutbox } from '../../webhooks/events';
import { takeQuotaNotices } from '../../webhooks/quota-notices';
import { SqliteObject } from '../sqlite-object';
import { LIMITER_MIGRATIONS } from './schema';
import { CreditBook } from './credits';
import {
  CREDITS_POLICY,
  LEASE_MS,
  quotaPolicy,
  type Lease,
  type LeaseReturn,
  type LimitCheck,
  type LimitHeaders,
  type Verdict,
} from './types';

/** The largest block one lease carries. */
export const LEASE_MAX = 500;
/** A lease is at most this share of the smallest headroom left (so several isolates can hold one). */
const LEASE_SHARE = 4;

const DECISION_MEMORY_MS = 5 * 60_000;
/** Retry-After of a call refused for credits when the balance never refills (a top-up may come). */
const CREDITS_RETRY_AFTER = 60;
/** Lease rows are kept this long after they end, so a late return still finds them. */
const LEASE_MEMORY_MS = 60 * 60_000;

export class KeyLimiter extends SqliteObject {
  private readonly events: LocalOutbox;
  private readonly credits: CreditBook;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, LIMITER_MIGRATIONS);
    this.events = new LocalOutbox(ctx.storage, env);
    this.credits = new CreditBook(this.sql);
  }

  check(input: LimitCheck): Verdict {
    if (input.release) this.release(input.release);
    const known = this.sql.exec<{ verdict: string }>(`SELECT verdict FROM decisions WHERE request_id = ?`, input.requestId).toArray()[0];
    if (known !== undefined) return JSON.parse(known.verdict) as Verdict;
    const verdict = this.decide(input);
    this.sql.exec(`INSERT INTO decisions (request_id, at, verdict) VALUES (?, ?, ?)`, input.requestId, input.now, JSON.stringify(verdict));
    this.sql.exec(`DELETE FROM decisions WHERE at < ?`, input.now - DECISION_MEMORY_MS);
    if (input.quota && input.key && this.events.enabled) this.noticeQuota(input, input.quota, input.key, verdict);
    return verdict;
  }

  /** Queues quota.low / quota.exhausted when this decision crossed them; never fails the decision. */
  private noticeQuota(input: LimitCheck, quota: Quota, key: { id: string; projectId: string }, verdict: Verdict): void {
    try {
      const period = periodOf(quota.period, input.now);
      const refused = !verdict.allowed && verdict.reason === 'quota-exceeded';
      const state = { key, quota, periodKey: period.key, periodEndsAt: period.endsAt, used: this.used(period.key), refused };
      const events = takeQuotaNotices(this.sql, state, input.now);
      if (events.length > 0) this.ctx.waitUntil(this.events.queue(events, input.now).catch((e: unknown) => logQueueFault(key.id, e)));
    } catch (error) {
      logQueueFault(key.id, error);
    }
  }

  override async alarm(): Promise<void> {
    await this.events.handOver(Date.now());
  }

  /** Gives back what leases did not spend (each lease once; unknown ids are ignored). */
  release(returns: LeaseReturn[]): void {
    for (const { id, unspent } of returns) {
      const lease = this.sql
        .exec<{ units: number; period_key: string | null; cost: number; credit_key: string | null }>(
          `SELECT units, period_key, cost, credit_key FROM leases WHERE id = ?`,
          id,
        )
        .toArray()[0];
      if (lease === undefined) continue;
      const n = Math.max(0, Math.min(Math.floor(unspent), lease.units));
      this.ctx.storage.transactionSync(() => {
        for (const { window } of this.sql.exec<{ window: string }>(`SELECT DISTINCT window FROM hits WHERE lease_id = ?`, id).toArray()) {
          this.sql.exec(
            `DELETE FROM hits WHERE rowid IN (SELECT rowid FROM hits WHERE lease_id = ? AND window = ? LIMIT ?)`,
            id,
            window,
            n,
          );
        }
        if (lease.period_key !== null) this.sql.exec(`UPDATE quota_use SET used = used - ? WHERE period_key = ?`, n, lease.period_key);
        // Credits reserved before a refill are not given back after it (the refill set the balance anew).
        if (lease.cost > 0 && this.storedCreditKey() === lease.credit_key) this.credits.add(n * lease.cost);
        this.sql.exec(`DELETE FROM leases WHERE id = ?`, id);
      });
    }
  }

  /** Calls left in the quota's current period (exact). */
  quotaRemaining(quota: Quota, now: number): number {
    return quota.limit - this.used(periodOf(quota.period, now).key);
  }

  /** The credit balance at `now` (refilled if a boundary passed). */
  creditBalance(credits: Credits, now: number): number {
    return this.credits.balance(credits, now);
  }

  /** The admin's change to the balance: `set` it or `add` to it; the balance after. */
  adjustCredits(credits: Credits, change: { set?: number; add?: number }, now: number): number {
    return this.credits.adjust(credits, change, now);
  }

  private decide(input: LimitCheck): Verdict {
    const { now, rateLimits, quota } = input;
    const credits = input.credits ?? null;
    const cost = credits === null ? 0 : (input.cost ?? 1);
    const windows = rateLimits.map((l) => this.window(l, now));
    const period = quota ? periodOf(quota.period, now) : null;
    const quotaUsed = period ? this.used(period.key) : 0;
    const quotaResets = period ? Math.max(1, Math.ceil((period.endsAt - now) / 1000)) : 0;
    const balance = credits === null ? 0 : this.credits.balance(credits, now);
    /** Every limit as it stands after `spent` more calls (0: refused, 1: this call admitted). */
    const policies = (spent: number): LimitHeaders[] => {
      const list = windows.map((w) => ({
        policy: w.l.name,
        window: w.l.windowSeconds,
        limit: w.l.limit,
        remaining: Math.max(0, w.l.limit - w.used - spent),
        reset: w.frees,
      }));
      if (quota && period) {
        const window = Math.round((period.endsAt - period.startsAt) / 1000);
        const remaining = Math.max(0, quota.limit - quotaUsed - spent);
        list.push({ policy: quotaPolicy(quota.period), window, limit: quota.limit, remaining, reset: quotaResets });
      }
      if (credits !== null) list.push(this.creditsHeaders(credits, balance - spent * cost, now));
      return list;
    };

    for (const w of windows) {
      if (w.used >= w.l.limit)
        return { allowed: false, reason: 'rate-limited', name: w.l.name, policies: policies(0), retryAfter: w.frees };
    }
    if (quota && period && quotaUsed >= quota.limit) {
      return { allowed: false, reason: 'quota-exceeded', name: quota.period, policies: policies(0), retryAfter: quotaResets };
    }
    // Cost 0 only checks: admitted while the balance is positive, spending nothing.
    if (credits !== null && (cost === 0 ? balance <= 0 : balance < cost)) {
      const retryAfter = CreditBook.secondsToRefill(credits, now, CREDITS_RETRY_AFTER);
      return { allowed: false, reason: 'quota-exceeded', name: 'credits', policies: policies(0), retryAfter };
    }

    for (const w of windows) this.sql.exec(`INSERT INTO hits (window, at) VALUES (?, ?)`, w.l.name, now);
    if (period) this.addQuotaUse(period.key, 1);
    if (cost > 0) this.credits.add(-cost);

    const candidates = policies(1);
    const verdict: Verdict = { allowed: true, policies: candidates };
    if (input.leaseFor !== undefined) {
      const lease = this.grant(input.leaseFor, now, windows, candidates, period, credits && { credits, cost });
      if (lease !== undefined) verdict.lease = lease;
    }
    return verdict;
  }

  /** A window after dropping the calls that left it: how many it holds, and when it frees one. */
  private window(l: RateLimit, now: number): { l: RateLimit; used: number; frees: number } {
    const since = now - l.windowSeconds * 1000;
    this.sql.exec(`DELETE FROM hits WHERE window = ? AND at <= ?`, l.name, since);
    const row = this.sql
      .exec<{ n: number; oldest: number | null }>(`SELECT COUNT(*) AS n, MIN(at) AS oldest FROM hits WHERE window = ?`, l.name)
      .one();
    const frees = row.oldest === null ? l.windowSeconds : Math.max(1, Math.ceil((row.oldest + l.windowSeconds * 1000 - now) / 1000));
    return { l, used: row.n, frees };
  }

  private creditsHeaders(credits: Credits, remaining: number, now: number): LimitHeaders {
    const limit = credits.refill?.amount ?? credits.initial;
    const reset = CreditBook.secondsToRefill(credits, now, 0);
    return { policy: CREDITS_POLICY, window: reset, limit, remaining: Math.max(0, remaining), reset };
  }

  /** The refill period the balance was last refilled in (what a lease's credit_key is compared with). */
  private storedCreditKey(): string | null {
    return this.sql.exec<{ refill_key: string | null }>(`SELECT refill_key FROM credits WHERE id = 1`).toArray()[0]?.refill_key ?? null;
  }

  /** A block of calls for `holder`, reserved now, or undefined when none is worth granting. */
  private grant(
    holder: string,
    now: number,
    windows: { l: RateLimit }[],
    candidates: LimitHeaders[],
    period: { key: string; endsAt: number } | null,
    spend: { credits: Credits; cost: number } | null,
  ): Lease | undefined {
    // A window much shorter than a lease would be held needlessly long; a period about to end
    // would have calls of the next one counted in this one (a refill likewise).
    if (windows.some((w) => w.l.windowSeconds * 1000 < 10 * LEASE_MS)) return undefined;
    if (period !== null && period.endsAt - now < 2 * LEASE_MS) return undefined;
    if (spend !== null && CreditBook.secondsToRefill(spend.credits, now, Infinity) * 1000 < 3 * LEASE_MS) return undefined;
    const cost = spend?.cost ?? 0;
    const headroom = Math.min(
      ...candidates.map((c) => (c.policy === CREDITS_POLICY ? (cost > 0 ? Math.floor(c.remaining / cost) : Infinity) : c.remaining)),
    );
    const units = Math.min(LEASE_MAX, Math.floor(headroom / LEASE_SHARE));
    if (units < 2) return undefined;
    this.sql.exec(`DELETE FROM leases WHERE expires_at < ?`, now - LEASE_MEMORY_MS);
    const held = this.sql.exec(`SELECT 1 FROM leases WHERE holder = ? AND expires_at > ?`, holder, now).toArray();
    if (held.length > 0) return undefined;
    const id = crypto.randomUUID();
    const expiresAt = now + LEASE_MS;
    for (const w of windows) {
      for (let i = 0; i < units; i++) this.sql.exec(`INSERT INTO hits (window, at, lease_id) VALUES (?, ?, ?)`, w.l.name, expiresAt, id);
    }
    if (period !== null) this.addQuotaUse(period.key, units);
    if (cost > 0) this.credits.add(-units * cost);
    const creditKey = spend === null ? null : CreditBook.refillKey(spend.credits, now);
    this.sql.exec(
      `INSERT INTO leases (id, holder, units, period_key, expires_at, cost, credit_key) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      id,
      holder,
      units,
      period?.key ?? null,
      expiresAt,
      cost,
      creditKey,
    );
    return { id, units, expiresAt, headers: candidates };
  }

  private addQuotaUse(periodKey: string, n: number): void {
    this.sql.exec(
      `INSERT INTO quota_use (period_key, used) VALUES (?, ?) ON CONFLICT (period_key) DO UPDATE SET used = used + excluded.used`,
      periodKey,
      n,
    );
  }

  /** Calls reserved by leases that have not been returned yet (for tests and diagnostics). */
  outstandingLeases(): number {
    return this.sql.exec<{ n: number }>(`SELECT COALESCE(SUM(units), 0) AS n FROM leases`).one().n;
  }

  private used(periodKey: string): number {
    return this.sql.exec<{ used: number }>(`SELECT used FROM quota_use WHERE period_key = ?`, periodKey).toArray()[0]?.used ?? 0;
  }
}

function logQueueFault(keyId: string, error: unknown): void {
  log('error', 'quota webhook not queued', { keyId, error: String(error) });
}
