// A KeyLimiter's credit balance (table `credits`, one row): set to the holder's `initial` the first
// time the meter sees credits, then spent by each admitted call's cost, changed by the admin (set or
// add), and refilled lazily at the first decision after a UTC day or month boundary — `to` sets the
// balance to the amount (what was left is not carried over), `by` adds the amount once per boundary
// passed. Synchronous SQL only, so a decision that spends credits stays one atomic step.

import type { CreditRefill, Credits } from '../../core/key-record';
import { periodOf } from '../../core/periods';

type Row = { balance: number; refill_key: string | null };

/** How many period boundaries lie between two period keys ("2026-12-01" or "2026-12"); 1 when their kinds differ. */
export function boundariesBetween(from: string, to: string): number {
  if (from.length !== to.length) return 1;
  if (to.length === 7) {
    const months = (key: string) => Number(key.slice(0, 4)) * 12 + Number(key.slice(5, 7));
    return Math.max(0, months(to) - months(from));
  }
  return Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000));
}

/** The balance after the boundaries passed since `refillKey` (now at `key`). */
export function refilled(balance: number, refill: CreditRefill, refillKey: string, key: string): number {
  const n = boundariesBetween(refillKey, key);
  if (n === 0) return balance;
  return refill.mode === 'to' ? refill.amount : balance + refill.amount * n;
}

export class CreditBook {
  constructor(private readonly sql: SqlStorage) {}

  private row(): Row | undefined {
    return this.sql.exec<Row>(`SELECT balance, refill_key FROM credits WHERE id = 1`).toArray()[0];
  }

  /** The current refill period's key, or null without a refill. */
  static refillKey(credits: Credits, now: number): string | null {
    return credits.refill === null ? null : periodOf(credits.refill.period, now).key;
  }

  /** The balance at `now`: created from `initial`, refilled when a boundary passed (written back). */
  balance(credits: Credits, now: number): number {
    const key = CreditBook.refillKey(credits, now);
    const row = this.row();
    if (row === undefined) {
      this.sql.exec(`INSERT INTO credits (id, balance, refill_key) VALUES (1, ?, ?)`, credits.initial, key);
      return credits.initial;
    }
    if (credits.refill === null || key === row.refill_key) return row.balance;
    // A refill set on a meter that had none starts counting boundaries from now.
    const balance = row.refill_key === null || key === null ? row.balance : refilled(row.balance, credits.refill, row.refill_key, key);
    this.sql.exec(`UPDATE credits SET balance = ?, refill_key = ? WHERE id = 1`, balance, key);
    return balance;
  }

  /** Changes the balance by `delta` (spending is negative); never below 0. */
  add(delta: number): void {
    this.sql.exec(`UPDATE credits SET balance = MAX(0, balance + ?) WHERE id = 1`, delta);
  }

  /** The admin's change: `set` the balance, or `add` to it (negative takes away, never below 0). */
  adjust(credits: Credits, change: { set?: number; add?: number }, now: number): number {
    this.balance(credits, now);
    if (change.set !== undefined) this.sql.exec(`UPDATE credits SET balance = ? WHERE id = 1`, change.set);
    if (change.add !== undefined) this.add(change.add);
    return this.row()?.balance ?? 0;
  }

  /** Seconds until the next refill, or `fallback` without one. */
  static secondsToRefill(credits: Credits, now: number, fallback: number): number {
    if (credits.refill === null) return fallback;
    return Math.max(1, Math.ceil((periodOf(credits.refill.period, now).endsAt - now) / 1000));
  }
}
