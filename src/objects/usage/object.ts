// UsageShard: one of USAGE_SHARDS SQLite Durable Objects holding call counts and request logs.
// Each isolate sends its batches to one shard (chosen once per isolate), so one flush is one call.
// A batch is applied in one transaction together with its id: a retried batch is a no-op, never a
// second count. Counters are written to minute, hour and day rows at once (the roll-up is the
// write); old rows are pruned by age (RETENTION_MS), request logs also by count per key: a key's
// log is trimmed back to the newest REQUESTS_PER_KEY_PER_SHARD once it is TRIM_SLACK past them,
// and reads show only the newest REQUESTS_PER_KEY_PER_SHARD.
//
// lastUsedAt comes from here too: the shard notes each key's latest call that reached the origin
// and hands the registry one batch at most every LAST_USED_FORWARD_MS (its alarm). The registry
// then sees at most USAGE_SHARDS such calls per interval, whatever the number of isolates.

import { SqliteObject } from '../sqlite-object';
import { armAlarm } from '../alarm';
import { USAGE_MIGRATIONS } from './schema';
import { withDeadline } from '../../core/deadline';
import { log } from '../../log';
import { registry } from '../registry/client';
import {
  BUCKET_MS,
  REQUESTS_PER_KEY_PER_SHARD,
  RETENTION_MS,
  type CountRow,
  type Granularity,
  type RequestEntry,
  type RequestFilter,
  type RequestPageQuery,
  type SampleQuery,
  type ShardUsage,
  type UsageBatch,
  type UsageQuery,
} from './types';

const GRANULARITIES: Granularity[] = ['minute', 'hour', 'day'];
const PRUNE_EVERY_MS = 10 * 60_000;
/** How far a key's log may grow past REQUESTS_PER_KEY_PER_SHARD before it is trimmed (reads never show the excess). */
export const TRIM_SLACK = 50;
/** Keys whose log size is remembered; past this the memory is cleared and sizes are counted again. */
const MAX_TRACKED_KEYS = 10_000;
/** Characters of JSON per statement: at most 3 bytes each in UTF-8, well under the 2 MB a value may have on Cloudflare. */
const MAX_JSON_CHARS = 500_000;

/**
 * `rows` as JSON arrays for `jsonb_each`, as few as fit MAX_JSON_CHARS (one for a usual batch).
 * A batch is written with one statement per table: not one per row (each is a call into SQLite
 * with its cursor and bindings), and not in small chunks either (each multi-row statement copies
 * every page it changes to its own statement journal). `jsonb_each`, not `json_each`: each row
 * comes out as binary JSON, so `->>` reads its fields without parsing text again.
 */
function jsonChunks(rows: readonly unknown[][]): string[] {
  const chunks: string[] = [];
  let part: string[] = [];
  let chars = 0;
  for (const row of rows) {
    const json = JSON.stringify(row);
    if (part.length > 0 && chars + json.length > MAX_JSON_CHARS) {
      chunks.push(`[${part.join(',')}]`);
      part = [];
      chars = 0;
    }
    part.push(json);
    chars += json.length + 1;
  }
  if (part.length > 0) chunks.push(`[${part.join(',')}]`);
  return chunks;
}

interface RequestRow extends Record<string, SqlStorageValue> {
  at: number;
  request_id: string;
  key_id: string;
  method: string;
  path: string;
  route: string;
  status: number;
  latency_ms: number;
  client_ip: string;
  country: string;
  user_agent: string;
  outcome: string;
}

/** The request-log conditions for `f` (each one a bound parameter), as ` AND …`. */
function requestFilterSql(f: RequestFilter = {}): [string, SqlStorageValue[]] {
  const parts: [string, SqlStorageValue | undefined][] = [
    ['status = ?', f.status],
    ['status / 100 = ?', f.statusClass === undefined ? undefined : Number(f.statusClass[0])],
    ['outcome = ?', f.outcome],
    ['route = ?', f.route],
    ['at >= ?', f.from],
    ['at < ?', f.to],
    ['request_id = ?', f.requestId],
  ];
  const set = parts.filter((p): p is [string, SqlStorageValue] => p[1] !== undefined);
  return [set.map(([sql]) => ` AND ${sql}`).join(''), set.map(([, v]) => v)];
}

function filterSql(q: { keyId?: string; keyIds?: string[]; projectId?: string }): [string, SqlStorageValue[]] {
  if (q.keyId !== undefined) return [' AND key_id = ?', [q.keyId]];
  // A customer's keys: one bound parameter however many keys (json_each), not one per key.
  if (q.keyIds !== undefined) return [' AND key_id IN (SELECT value FROM json_each(?))', [JSON.stringify(q.keyIds)]];
  if (q.projectId !== undefined) return [' AND project_id = ?', [q.projectId]];
  return ['', []];
}

/** lastUsedAt reaches the registry this long after a call at most (plus the isolate's usage flush). */
export const LAST_USED_FORWARD_MS = 5_000;
const FORWARD_TIMEOUT_MS = 5_000;
/** Outcomes of calls that were forwarded to the origin: what "used" means for lastUsedAt. */
const FORWARDED = new Set(['allowed', 'bad-gateway', 'gateway-timeout']);

const GROUP_COLUMN = {
  route: 'route',
  status: 'status_class',
  outcome: 'outcome',
  // An allowed call is one keygate let through; what the origin then answered is split off here.
  result: `CASE WHEN outcome = 'allowed' AND status_class IN ('4xx', '5xx') THEN 'origin-' || status_class ELSE outcome END`,
} as const;

export class UsageShard extends SqliteObject {
  private lastPrune = 0;
  /** keyId → an upper bound of its rows in `requests`, for the keys logged since the object started. */
  private readonly logSizes = new Map<string, number>();
  /** keyId → its latest forwarded call not yet handed to the registry. */
  private lastUsed = new Map<string, number>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, USAGE_MIGRATIONS);
  }

  /** Applies each batch not seen before; returns how many were new. */
  async ingest(batches: UsageBatch[], now: number): Promise<{ applied: number; duplicates: number }> {
    let applied = 0;
    for (const batch of batches) {
      // Log sizes change in memory only once their transaction has committed.
      const sizes = new Map<string, number>();
      if (!this.ctx.storage.transactionSync(() => this.apply(batch, now, sizes))) continue;
      applied++;
      if (this.logSizes.size + sizes.size > MAX_TRACKED_KEYS) this.logSizes.clear();
      for (const [keyId, size] of sizes) this.logSizes.set(keyId, size);
      this.noteUse(batch);
    }
    if (now - this.lastPrune >= PRUNE_EVERY_MS) this.prune(now);
    if (this.lastUsed.size > 0) await armAlarm(this.ctx.storage, now + LAST_USED_FORWARD_MS);
    return { applied, duplicates: batches.length - applied };
  }

  private noteUse(batch: UsageBatch): void {
    for (const r of batch.requests) {
      if (!FORWARDED.has(r.outcome) || (this.lastUsed.size >= MAX_TRACKED_KEYS && !this.lastUsed.has(r.keyId))) continue;
      this.lastUsed.set(r.keyId, Math.max(r.at, this.lastUsed.get(r.keyId) ?? 0));
    }
  }

  /** Hands the registry what was used since the last time; kept for the next alarm if it fails. */
  override async alarm(): Promise<void> {
    if (this.lastUsed.size === 0) return;
    const batch = this.lastUsed;
    this.lastUsed = new Map();
    try {
      await withDeadline(registry(this.env).touchKeys(Object.fromEntries(batch)), FORWARD_TIMEOUT_MS, 'registry');
    } catch (error) {
      for (const [id, at] of batch) this.lastUsed.set(id, Math.max(at, this.lastUsed.get(id) ?? 0));
      log('warn', 'lastUsedAt forward failed; kept for the next alarm', { keys: batch.size, error: String(error) });
      await armAlarm(this.ctx.storage, Date.now() + LAST_USED_FORWARD_MS);
    }
  }

  /** Writes one batch unless its id was seen; `sizes` receives the new log size of each key it logged. */
  private apply(batch: UsageBatch, now: number, sizes: Map<string, number>): boolean {
    if (this.sql.exec(`SELECT 1 FROM flushes WHERE id = ?`, batch.id).toArray().length > 0) return false;
    this.sql.exec(`INSERT INTO flushes (id, at) VALUES (?, ?)`, batch.id, now);
    this.addCounts(batch.counts);
    this.appendRequests(batch.requests);
    const added = new Map<string, number>();
    for (const r of batch.requests) added.set(r.keyId, (added.get(r.keyId) ?? 0) + 1);
    for (const [keyId, n] of added) sizes.set(keyId, this.boundLog(keyId, n));
    return true;
  }

  /** Adds each counter row to its minute, hour and day rows. */
  private addCounts(counts: CountRow[]): void {
    const rows = counts.map((r) => [r.minute, r.keyId, r.projectId, r.route, r.statusClass, r.outcome, r.count]);
    for (const json of jsonChunks(rows)) {
      for (const g of GRANULARITIES) {
        // `WHERE true`: without it SQLite would read ON CONFLICT as a join constraint.
        this.sql.exec(
          `INSERT INTO usage_${g} (bucket, key_id, project_id, route, status_class, outcome, count)
           SELECT (value->>0) - (value->>0) % ?, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6
           FROM jsonb_each(?) WHERE true
           ON CONFLICT DO UPDATE SET count = count + excluded.count`,
          BUCKET_MS[g],
          json,
        );
      }
    }
  }

  /** Inserts log entries; one already logged (same key, time and request id) is skipped. */
  private appendRequests(entries: RequestEntry[]): void {
    const rows = entries.map((r) => [
      r.at,
      r.requestId,
      r.keyId,
      r.method,
      r.path,
      r.route,
      r.status,
      r.latencyMs,
      r.clientIp,
      r.country,
      r.userAgent,
      r.outcome,
    ]);
    for (const json of jsonChunks(rows)) {
      this.sql.exec(
        `INSERT OR IGNORE INTO requests (at, request_id, key_id, method, path, route, status, latency_ms, client_ip, country, user_agent, outcome)
         SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7, value->>8, value->>9, value->>10, value->>11
         FROM jsonb_each(?)`,
        json,
      );
    }
  }

  /**
   * After `added` entries of `keyId` were inserted: its log size (an upper bound — an ignored
   * duplicate or a prune only makes the truth smaller), trimmed to the newest
   * REQUESTS_PER_KEY_PER_SHARD once it passes them by more than TRIM_SLACK. Trimming only then
   * walks a key's log once per TRIM_SLACK entries instead of once per batch.
   */
  private boundLog(keyId: string, added: number): number {
    const known = this.logSizes.get(keyId);
    const size =
      known !== undefined ? known + added : Number(this.sql.exec(`SELECT COUNT(*) AS n FROM requests WHERE key_id = ?`, keyId).one().n);
    if (size <= REQUESTS_PER_KEY_PER_SHARD + TRIM_SLACK) return size;
    this.sql.exec(
      `DELETE FROM requests WHERE key_id = ?1 AND (at, request_id) < (
         SELECT at, request_id FROM requests WHERE key_id = ?1 ORDER BY at DESC, request_id DESC LIMIT 1 OFFSET ?2)`,
      keyId,
      REQUESTS_PER_KEY_PER_SHARD - 1,
    );
    return REQUESTS_PER_KEY_PER_SHARD;
  }

  /** Deletes rows older than their retention. */
  prune(now: number): void {
    this.lastPrune = now;
    for (const g of GRANULARITIES) this.sql.exec(`DELETE FROM usage_${g} WHERE bucket < ?`, now - RETENTION_MS[g]);
    this.pruneRequests(now - RETENTION_MS.requests);
    this.sql.exec(`DELETE FROM flushes WHERE at < ?`, now - RETENTION_MS.flushes);
  }

  /**
   * Deletes log entries older than `cutoff`: the keys are stepped through on the primary key (one
   * seek each) and each key's old entries are the start of its range — no index by age to maintain.
   */
  private pruneRequests(cutoff: number): void {
    this.sql.exec(
      `WITH RECURSIVE keys(id) AS (
         SELECT MIN(key_id) FROM requests
         UNION ALL
         SELECT (SELECT MIN(key_id) FROM requests WHERE key_id > keys.id) FROM keys WHERE keys.id IS NOT NULL)
       DELETE FROM requests WHERE key_id IN (SELECT id FROM keys) AND at < ?`,
      cutoff,
    );
    // Remembered sizes would still be upper bounds; counting again makes them exact.
    this.logSizes.clear();
  }

  usage(q: UsageQuery): ShardUsage {
    const table = `usage_${q.granularity}`;
    const [where, args] = filterSql(q);
    const range = `bucket >= ? AND bucket < ?${where}`;
    const params = [q.from, q.to, ...args];
    const sums = (column: string) => {
      const out: Record<string, number> = {};
      for (const row of this.sql.exec<{ g: string; n: number }>(
        `SELECT ${column} AS g, SUM(count) AS n FROM ${table} WHERE ${range} GROUP BY ${column}`,
        ...params,
      ))
        out[row.g] = row.n;
      return out;
    };
    const series = this.sql
      .exec<{ bucket: number; g: string; n: number }>(
        `SELECT bucket, ${GROUP_COLUMN[q.groupBy]} AS g, SUM(count) AS n FROM ${table} WHERE ${range} GROUP BY bucket, g ORDER BY bucket`,
        ...params,
      )
      .toArray()
      .map((r) => ({ bucket: r.bucket, group: r.g, count: r.n }));
    const keys: Record<string, number> = {};
    if (q.keyId === undefined) {
      for (const row of this.sql.exec<{ k: string; n: number }>(
        `SELECT key_id AS k, SUM(count) AS n FROM ${table} WHERE ${range} AND key_id != '' GROUP BY key_id ORDER BY n DESC LIMIT ?`,
        ...params,
        q.topKeys,
      ))
        keys[row.k] = row.n;
    }
    return { series, byOutcome: sums('outcome'), byStatus: sums('status_class'), routes: sums('route'), keys };
  }

  /**
   * A key's request log, newest first, strictly before `before`: only its newest
   * REQUESTS_PER_KEY_PER_SHARD entries, however many more are waiting to be trimmed.
   */
  requests(q: RequestPageQuery): RequestEntry[] {
    if (q.keyIds === undefined) return this.keyRequests(q.keyId, q);
    // A customer's log: each key's newest entries, merged newest first.
    const all = q.keyIds.flatMap((keyId) => this.keyRequests(keyId, q));
    return all.sort((a, b) => b.at - a.at || (a.requestId < b.requestId ? 1 : a.requestId > b.requestId ? -1 : 0)).slice(0, q.limit);
  }

  private keyRequests(keyId: string, q: RequestPageQuery): RequestEntry[] {
    const before = q.before ?? { at: Number.MAX_SAFE_INTEGER, requestId: '' };
    const [where, args] = requestFilterSql(q.filter);
    return this.sql
      .exec<RequestRow>(
        `SELECT * FROM (SELECT * FROM requests WHERE key_id = ? ORDER BY at DESC, request_id DESC LIMIT ?)
         WHERE (at < ? OR (at = ? AND request_id < ?))${where}
         ORDER BY at DESC, request_id DESC LIMIT ?`,
        keyId,
        REQUESTS_PER_KEY_PER_SHARD,
        before.at,
        before.at,
        before.requestId,
        ...args,
        q.limit,
      )
      .toArray()
      .map(entryOf);
  }

  /** The newest `limit` log entries of these keys within [from, to): what latency percentiles and top callers are computed from. */
  sample(q: SampleQuery): RequestEntry[] {
    return this.sql
      .exec<RequestRow>(
        `SELECT * FROM requests WHERE key_id IN (SELECT value FROM json_each(?)) AND at >= ? AND at < ? ORDER BY at DESC LIMIT ?`,
        JSON.stringify(q.keyIds),
        q.from,
        q.to,
        q.limit,
      )
      .toArray()
      .map(entryOf);
  }
}

function entryOf(r: RequestRow): RequestEntry {
  return {
    at: r.at,
    requestId: r.request_id,
    keyId: r.key_id,
    method: r.method,
    path: r.path,
    route: r.route,
    status: r.status,
    latencyMs: r.latency_ms,
    clientIp: r.client_ip,
    country: r.country,
    userAgent: r.user_agent,
    outcome: r.outcome,
  };
}
