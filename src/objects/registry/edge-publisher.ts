// How a key change reaches the edge. Two paths, both fed from the committed SQLite row:
// 1. the change feed (`changes`): regional replicas (src/objects/feed-replica/object.ts) poll it
//    every ~2 s; isolates read it from them through a per-location cache, and apply each new edge
//    record at once, over anything cached or read from KV — this is what bounds revocation at 5 s;
// 2. KV (`key:<hash>`): written through at most once a second per key (KV's limit for one key);
//    a write that must wait, or that fails, stays in `kv_outbox` and an alarm completes it.

import { KV_STALENESS_MS, type KeyRecord } from '../../core/key-record';
import { registryPage, type FeedEntry, type FeedSnapshot } from '../../core/feed-snapshot';
import { writeKeyRecord } from '../../kv/keys';
import { armAlarm } from '../alarm';

/** Feed entries are kept this long; an isolate that fell further behind starts afresh. */
export const FEED_RETENTION_MS = 10 * 60_000;
const KV_MIN_WRITE_INTERVAL_MS = 1_000;

export class EdgePublisher {
  constructor(
    private readonly sql: SqlStorage,
    private readonly storage: DurableObjectStorage,
    private readonly kv: KVNamespace,
  ) {}

  /** Records the change in the feed, then writes KV now or schedules it. */
  async publish(hash: string, record: KeyRecord, now: number): Promise<void> {
    this.sql.exec(`INSERT INTO changes (hash, record, at) VALUES (?, ?, ?)`, hash, JSON.stringify(record), now);
    this.sql.exec(`DELETE FROM changes WHERE at < ?`, now - FEED_RETENTION_MS);
    const last = this.sql.exec<{ written_at: number | null }>(`SELECT written_at FROM kv_outbox WHERE hash = ?`, hash).toArray()[0];
    if (last?.written_at != null && now - last.written_at < KV_MIN_WRITE_INTERVAL_MS) {
      this.sql.exec(`UPDATE kv_outbox SET dirty = 1 WHERE hash = ?`, hash);
      await this.armAlarm(last.written_at + KV_MIN_WRITE_INTERVAL_MS);
      return;
    }
    await this.writeKv(hash, record, now);
  }

  private async writeKv(hash: string, record: KeyRecord, now: number): Promise<void> {
    // Claim the write before awaiting it: a change published while this write is in flight sees a
    // write within the last second, marks the row dirty, and the alarm writes the latest record.
    // (Recording it only after the await let two writes race and an older record win in KV.)
    this.sql.exec(
      `INSERT INTO kv_outbox (hash, written_at, dirty) VALUES (?, ?, 0) ON CONFLICT (hash) DO UPDATE SET written_at = excluded.written_at, dirty = 0`,
      hash,
      now,
    );
    try {
      await writeKeyRecord(this.kv, hash, record);
    } catch {
      // The feed already carries the change; KV catches up from the outbox.
      this.sql.exec(`UPDATE kv_outbox SET dirty = 1 WHERE hash = ?`, hash);
      await this.armAlarm(now + KV_MIN_WRITE_INTERVAL_MS);
    }
  }

  private armAlarm(at: number): Promise<void> {
    return armAlarm(this.storage, at);
  }

  /** The alarm: writes every dirty record that may be written now (the latest state of its key). */
  async flushOutbox(now: number, currentRecord: (hash: string) => KeyRecord | null): Promise<void> {
    const due = this.sql
      .exec<{ hash: string; written_at: number | null }>(`SELECT hash, written_at FROM kv_outbox WHERE dirty = 1`)
      .toArray();
    for (const { hash, written_at } of due) {
      if (written_at !== null && now - written_at < KV_MIN_WRITE_INTERVAL_MS) {
        await this.armAlarm(written_at + KV_MIN_WRITE_INTERVAL_MS);
        continue;
      }
      const record = currentRecord(hash);
      if (record === null) this.sql.exec(`DELETE FROM kv_outbox WHERE hash = ?`, hash);
      else await this.writeKv(hash, record, now);
    }
  }

  /**
   * The feed for a holder at cursor `after` (a regional replica, or an isolate falling back): the
   * entries after it that are younger than KV's staleness, complete as of `now`.
   */
  changesSince(after: number, now: number): FeedSnapshot {
    const { latest, first } = this.sql
      .exec<{ latest: number | null; first: number | null }>(
        `SELECT (SELECT MAX(seq) FROM changes) AS latest, (SELECT MIN(seq) FROM changes WHERE at >= ?) AS first`,
        now - KV_STALENESS_MS,
      )
      .one();
    const rows = this.sql
      .exec<{ seq: number; hash: string; record: string; at: number }>(
        `SELECT * FROM changes WHERE seq > ? AND at >= ? ORDER BY seq`,
        after,
        now - KV_STALENESS_MS,
      )
      .toArray();
    const entries: FeedEntry[] = rows.map((r) => ({ seq: r.seq, hash: r.hash, record: JSON.parse(r.record) as KeyRecord, at: r.at }));
    return registryPage(after, latest ?? 0, first, entries, now);
  }
}
