// The audit log: every admin change, hash-chained so that editing or removing an entry is detectable.
// hash = sha256(prev_hash + "\n" + JSON [seq, at, actor, action, target, changes]). It never holds a
// key or a key hash: targets are ids, changes are field values an admin may read anyway.

import { createHash } from 'node:crypto';
import { readPage, type Page } from '../page';
import type { AuditEntry } from './types';

export const GENESIS = '0'.repeat(64);

type AuditRow = {
  seq: number;
  at: number;
  actor: string;
  action: string;
  target: string;
  changes: string;
  prev_hash: string;
  hash: string;
};

function chainHash(prev: string, row: Omit<AuditRow, 'prev_hash' | 'hash'>): string {
  // Synchronous on purpose: no other request may append between reading the tail and writing.
  return createHash('sha256')
    .update(`${prev}\n${JSON.stringify([row.seq, row.at, row.actor, row.action, row.target, row.changes])}`)
    .digest('hex');
}

export class AuditLog {
  constructor(private readonly sql: SqlStorage) {}

  append(actor: string, action: string, target: string, changes: Record<string, unknown>, now: number): void {
    // seq continues from the last number ever issued (sqlite_sequence), so a deleted entry leaves a gap.
    const issued = this.sql.exec<{ seq: number }>(`SELECT seq FROM sqlite_sequence WHERE name = 'audit'`).toArray()[0]?.seq ?? 0;
    const head = this.head();
    const row = { seq: issued + 1, at: now, actor, action, target, changes: JSON.stringify(changes) };
    const prev = head?.hash ?? GENESIS;
    this.sql.exec(
      `INSERT INTO audit (seq, at, actor, action, target, changes, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      row.seq,
      row.at,
      actor,
      action,
      target,
      row.changes,
      prev,
      chainHash(prev, row),
    );
    this.sql.exec(
      `INSERT OR REPLACE INTO meta (k, v) VALUES ('audit_head', ?)`,
      JSON.stringify({ seq: row.seq, hash: chainHash(prev, row) }),
    );
  }

  /** The last entry as the log itself recorded it (kept apart from the rows, so a removed tail shows). */
  private head(): { seq: number; hash: string } | undefined {
    const v = this.sql.exec<{ v: string }>(`SELECT v FROM meta WHERE k = 'audit_head'`).toArray()[0]?.v;
    return v === undefined ? undefined : (JSON.parse(v) as { seq: number; hash: string });
  }

  list(limit: number, after: number): Page<AuditEntry> {
    const read = (n: number) => this.sql.exec<AuditRow>(`SELECT * FROM audit WHERE seq > ? ORDER BY seq LIMIT ?`, after, n).toArray();
    return readPage(limit, read, (r) => ({
      seq: r.seq,
      at: new Date(r.at).toISOString(),
      actor: r.actor,
      action: r.action,
      target: r.target,
      changes: r.changes,
      hash: r.hash,
    }));
  }

  /**
   * Recomputes the whole chain: consecutive seqs from 1, each prev_hash the hash before it, each
   * hash recomputed, and the last entry equal to the recorded head. The first seq that fails, or null.
   */
  verify(): { entries: number; brokenAt: number | null } {
    let prev = GENESIS;
    let expectedSeq = 1;
    let entries = 0;
    for (const row of this.sql.exec<AuditRow>(`SELECT * FROM audit ORDER BY seq`)) {
      entries++;
      if (row.seq !== expectedSeq || row.prev_hash !== prev || chainHash(prev, row) !== row.hash)
        return { entries, brokenAt: Math.min(row.seq, expectedSeq) };
      prev = row.hash;
      expectedSeq++;
    }
    const head = this.head();
    if (head !== undefined && (head.seq !== expectedSeq - 1 || head.hash !== prev)) return { entries, brokenAt: expectedSeq };
    return { entries, brokenAt: null };
  }
}
