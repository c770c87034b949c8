// UsageShard: one of USAGE_SHARDS SQLite Durable Objects holding call counts and request logs.
// Each isolate sends its batches to one shard (chosen once per isolate), so one flush is one call.
// A batch is applied in one transaction together with its id: a retried batch is a no-op, never a
// second count. Counters are written to minute, hour and day rows at once (the roll-up is the
// write); old rows are pruned by age (RETENTION_MS), request logs also by count per key.

import { SqliteObject } from '../storage/migrate';
import {
  BUCKET_MS,
  REQUESTS_PER_KEY_PER_SHARD,
  RETENTION_MS,
  type Granularity,
  type RequestEntry,
  type RequestPageQuery,
  type ShardUsage,
  type UsageBatch,
  type UsageQuery,
} from './usage-types';

const GRANULARITIES: Granularity[] = ['minute', 'hour', 'day'];
const counterTable = (g: Granularity) => `
  CREATE TABLE usage_${g} (
    bucket INTEGER NOT NULL,
    key_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    route TEXT NOT NULL,
    status_class TEXT NOT NULL,
    outcome TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (bucket, key_id, project_id, route, status_class, outcome)
  ) WITHOUT ROWID`;

export const USAGE_MIGRATIONS: readonly string[][] = [
  // v1
  [
    `CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)`,
    `CREATE TABLE flushes (id TEXT PRIMARY KEY, at INTEGER NOT NULL)`,
    ...GRANULARITIES.flatMap((g) => [
      counterTable(g),
      `CREATE INDEX usage_${g}_by_key ON usage_${g} (key_id, bucket)`,
      `CREATE INDEX usage_${g}_by_project ON usage_${g} (project_id, bucket)`,
    ]),
    `CREATE TABLE requests (
       at INTEGER NOT NULL,
       request_id TEXT NOT NULL,
       key_id TEXT NOT NULL,
       method TEXT NOT NULL,
       path TEXT NOT NULL,
       route TEXT NOT NULL,
       status INTEGER NOT NULL,
       latency_ms INTEGER NOT NULL,
       client_ip TEXT NOT NULL,
       country TEXT NOT NULL,
       user_agent TEXT NOT NULL,
       outcome TEXT NOT NULL,
       PRIMARY KEY (key_id, at, request_id)
     ) WITHOUT ROWID`,
    `CREATE INDEX requests_by_age ON requests (at)`,
  ],
];
export const USAGE_SCHEMA_VERSION = USAGE_MIGRATIONS.length;
const PRUNE_EVERY_MS = 10 * 60_000;

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

function filterSql(q: { keyId?: string; projectId?: string }): [string, SqlStorageValue[]] {
  if (q.keyId !== undefined) return [' AND key_id = ?', [q.keyId]];
  if (q.projectId !== undefined) return [' AND project_id = ?', [q.projectId]];
  return ['', []];
}

const GROUP_COLUMN = { route: 'route', status: 'status_class', outcome: 'outcome' } as const;

export class UsageShard extends SqliteObject {
  private lastPrune = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, USAGE_MIGRATIONS);
  }

  /** Applies each batch not seen before; returns how many were new. */
  ingest(batches: UsageBatch[], now = Date.now()): { applied: number; duplicates: number } {
    let applied = 0;
    for (const batch of batches) {
      const fresh = this.ctx.storage.transactionSync(() => {
        if (this.sql.exec(`SELECT 1 FROM flushes WHERE id = ?`, batch.id).toArray().length > 0) return false;
        this.sql.exec(`INSERT INTO flushes (id, at) VALUES (?, ?)`, batch.id, now);
        for (const row of batch.counts) {
          for (const g of GRANULARITIES) {
            const bucket = row.minute - (row.minute % BUCKET_MS[g]);
            this.sql.exec(
              `INSERT INTO usage_${g} (bucket, key_id, project_id, route, status_class, outcome, count) VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT DO UPDATE SET count = count + excluded.count`,
              bucket,
              row.keyId,
              row.projectId,
              row.route,
              row.statusClass,
              row.outcome,
              row.count,
            );
          }
        }
        const keys = new Set<string>();
        for (const r of batch.requests) {
          keys.add(r.keyId);
          this.sql.exec(
            `INSERT OR IGNORE INTO requests (at, request_id, key_id, method, path, route, status, latency_ms, client_ip, country, user_agent, outcome)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
          );
        }
        for (const keyId of keys) {
          this.sql.exec(
            `DELETE FROM requests WHERE key_id = ? AND at < (
               SELECT at FROM requests WHERE key_id = ? ORDER BY at DESC LIMIT 1 OFFSET ?)`,
            keyId,
            keyId,
            REQUESTS_PER_KEY_PER_SHARD - 1,
          );
        }
        return true;
      });
      if (fresh) applied++;
    }
    if (now - this.lastPrune >= PRUNE_EVERY_MS) this.prune(now);
    return { applied, duplicates: batches.length - applied };
  }

  /** Deletes rows older than their retention. */
  prune(now = Date.now()): void {
    this.lastPrune = now;
    for (const g of GRANULARITIES) this.sql.exec(`DELETE FROM usage_${g} WHERE bucket < ?`, now - RETENTION_MS[g]);
    this.sql.exec(`DELETE FROM requests WHERE at < ?`, now - RETENTION_MS.requests);
    this.sql.exec(`DELETE FROM flushes WHERE at < ?`, now - RETENTION_MS.flushes);
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

  /** A key's request log, newest first, strictly before `before`. */
  requests(q: RequestPageQuery): RequestEntry[] {
    const before = q.before ?? { at: Number.MAX_SAFE_INTEGER, requestId: '' };
    return this.sql
      .exec<RequestRow>(
        `SELECT * FROM requests WHERE key_id = ? AND (at < ? OR (at = ? AND request_id < ?))
         ORDER BY at DESC, request_id DESC LIMIT ?`,
        q.keyId,
        before.at,
        before.at,
        before.requestId,
        q.limit,
      )
      .toArray()
      .map((r) => ({
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
      }));
  }
}
