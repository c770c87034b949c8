// The registry: projects and keys in Durable Object SQLite, the source of truth for the admin API
// (read-your-writes), written through to KV (`key:<hash>`) for the edge. One object serialises
// every change, so concurrent admin writes cannot interleave. It never sees a plaintext key.

import { DurableObject } from 'cloudflare:workers';
import { writeKeyRecord } from '../keys/store';
import { REGISTRY_MIGRATIONS, REGISTRY_SCHEMA_VERSION } from './schema';
import { edgeRecord, keyView, projectView, type KeyRow, type KeyView, type ProjectRow, type ProjectView } from './views';
import { randomBase62 } from '../keys/format';

export interface Page<T> {
  items: T[];
  /** The seq to continue after, or null on the last page. */
  nextAfter: number | null;
}

export interface NewProject {
  name: string;
  description?: string | undefined;
  metadata?: Record<string, string> | undefined;
}

export interface NewKey {
  name: string;
  scopes: string[];
  environment: 'live' | 'test';
  expiresAt: number | null;
  ipAllowlist: string[] | null;
  metadata: Record<string, string>;
}

export interface KeyChange {
  name?: string | undefined;
  scopes?: string[] | undefined;
  expiresAt?: number | null | undefined;
  enabled?: boolean | undefined;
  ipAllowlist?: string[] | null | undefined;
  metadata?: Record<string, string> | undefined;
}

/** A key after a change, with its hash so the calling isolate can drop its cached copy (never shown). */
export interface KeyChanged {
  view: KeyView;
  hash: string;
}

export type ExposureReason = 'http' | 'url';

export class Registry extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    void ctx.blockConcurrencyWhile(async () => this.migrate());
  }

  private migrate(): void {
    const hasMeta = this.sql.exec(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).toArray().length > 0;
    let version = hasMeta ? Number(this.sql.exec(`SELECT v FROM meta WHERE k = 'schema_version'`).one().v) : 0;
    for (; version < REGISTRY_SCHEMA_VERSION; version++) {
      for (const statement of REGISTRY_MIGRATIONS[version] ?? []) this.sql.exec(statement);
      this.sql.exec(`INSERT OR REPLACE INTO meta (k, v) VALUES ('schema_version', ?)`, String(version + 1));
    }
  }

  schemaVersion(): number {
    return Number(this.sql.exec(`SELECT v FROM meta WHERE k = 'schema_version'`).one().v);
  }

  createProject(input: NewProject, now: number): ProjectView {
    const id = `prj_${randomBase62(20)}`;
    this.sql.exec(
      `INSERT INTO projects (id, name, description, metadata, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
      id,
      input.name,
      input.description ?? null,
      JSON.stringify(input.metadata ?? {}),
      now,
      now,
    );
    return projectView(this.projectRow(id) as ProjectRow);
  }

  getProject(id: string): ProjectView | null {
    const row = this.projectRow(id);
    return row ? projectView(row) : null;
  }

  listProjects(limit: number, after: number): Page<ProjectView> {
    const rows = this.sql.exec<ProjectRow>(`SELECT * FROM projects WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit + 1).toArray();
    return this.page(rows, limit, projectView);
  }

  /** Stores a key by hash; null when the project does not exist. */
  async createKey(projectId: string, input: NewKey, hash: string, start: string, now: number): Promise<KeyChanged | null> {
    if (!this.projectRow(projectId)) return null;
    const id = `key_${randomBase62(20)}`;
    this.sql.exec(
      `INSERT INTO keys (id, project_id, hash, start, name, environment, scopes, enabled, expires_at, ip_allowlist, metadata, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)`,
      id,
      projectId,
      hash,
      start,
      input.name,
      input.environment,
      JSON.stringify(input.scopes),
      input.expiresAt,
      input.ipAllowlist === null ? null : JSON.stringify(input.ipAllowlist),
      JSON.stringify(input.metadata),
      now,
      now,
    );
    return this.publish(id, now);
  }

  getKey(id: string, now: number): KeyView | null {
    const row = this.keyRow('id', id);
    return row ? keyView(row, now) : null;
  }

  listKeys(projectId: string, limit: number, after: number, now: number, status?: string): Page<KeyView> | null {
    if (!this.projectRow(projectId)) return null;
    const filter = status ? statusFilter(status) : '';
    const rows = this.sql
      .exec<KeyRow>(
        `SELECT * FROM keys WHERE project_id = ? AND seq > ? ${filter} ORDER BY seq LIMIT ?`,
        projectId,
        after,
        ...(status ? [now] : []),
        limit + 1,
      )
      .toArray();
    return this.page(rows, limit, (row) => keyView(row, now));
  }

  /** Applies a validated change; 'revoked' when the key is revoked (a revoked key never changes). */
  async updateKey(id: string, change: KeyChange, now: number): Promise<KeyChanged | 'revoked' | null> {
    const row = this.keyRow('id', id);
    if (!row) return null;
    if (row.revoked_at !== null) return 'revoked';
    const sets: string[] = [];
    const values: SqlStorageValue[] = [];
    const put = (column: string, value: SqlStorageValue) => {
      sets.push(`${column} = ?`);
      values.push(value);
    };
    if (change.name !== undefined) put('name', change.name);
    if (change.scopes !== undefined) put('scopes', JSON.stringify(change.scopes));
    if (change.expiresAt !== undefined) put('expires_at', change.expiresAt);
    if (change.enabled !== undefined) put('enabled', change.enabled ? 1 : 0);
    if (change.ipAllowlist !== undefined) put('ip_allowlist', change.ipAllowlist === null ? null : JSON.stringify(change.ipAllowlist));
    if (change.metadata !== undefined) put('metadata', JSON.stringify(change.metadata));
    put('updated_at', now);
    this.sql.exec(`UPDATE keys SET ${sets.join(', ')} WHERE id = ?`, ...values, id);
    return this.publish(id, now);
  }

  /** Permanent. Revoking a revoked key changes nothing and returns it as it is. */
  async revokeKey(id: string, now: number): Promise<KeyChanged | null> {
    const row = this.keyRow('id', id);
    if (!row) return null;
    if (row.revoked_at === null) this.sql.exec(`UPDATE keys SET revoked_at = ?, updated_at = ? WHERE id = ?`, now, now, id);
    return this.publish(id, now);
  }

  /**
   * Marks the key with this hash exposed (seen over plain http or in a URL) and, by policy, revokes it.
   * Returns the key id, or null when no key has this hash.
   */
  async markExposed(hash: string, reason: ExposureReason, policy: 'revoke' | 'flag', now: number): Promise<string | null> {
    const row = this.keyRow('hash', hash);
    if (!row) return null;
    this.sql.exec(
      `UPDATE keys SET exposed_at = COALESCE(exposed_at, ?), exposed_reason = COALESCE(exposed_reason, ?),
         revoked_at = CASE WHEN ? = 'revoke' THEN COALESCE(revoked_at, ?) ELSE revoked_at END, updated_at = ? WHERE id = ?`,
      now,
      reason,
      policy,
      now,
      now,
      row.id,
    );
    await this.publish(row.id, now);
    return row.id;
  }

  /** Writes the key's edge record through to KV; the SQLite row is already committed. */
  private async publish(id: string, now: number): Promise<KeyChanged> {
    const row = this.keyRow('id', id) as KeyRow;
    await writeKeyRecord(this.env.KEYS, row.hash, edgeRecord(row));
    return { view: keyView(row, now), hash: row.hash };
  }

  private projectRow(id: string): ProjectRow | undefined {
    return this.sql.exec<ProjectRow>(`SELECT * FROM projects WHERE id = ?`, id).toArray()[0];
  }

  private keyRow(column: 'id' | 'hash', value: string): KeyRow | undefined {
    return this.sql.exec<KeyRow>(`SELECT * FROM keys WHERE ${column} = ?`, value).toArray()[0];
  }

  private page<R extends { seq: number }, T>(rows: R[], limit: number, view: (row: R) => T): Page<T> {
    const more = rows.length > limit;
    const items = (more ? rows.slice(0, limit) : rows).map(view);
    return { items, nextAfter: more ? (rows[limit - 1] as R).seq : null };
  }
}

/** SQL for a status filter; the single `?` it adds takes `now`. */
function statusFilter(status: string): string {
  switch (status) {
    case 'revoked':
      return 'AND revoked_at IS NOT NULL AND ? IS NOT NULL';
    case 'disabled':
      return 'AND revoked_at IS NULL AND enabled = 0 AND ? IS NOT NULL';
    case 'expired':
      return 'AND revoked_at IS NULL AND enabled = 1 AND expires_at IS NOT NULL AND expires_at <= ?';
    case 'active':
      return 'AND revoked_at IS NULL AND enabled = 1 AND (expires_at IS NULL OR expires_at > ?)';
    case 'exposed':
      return 'AND exposed_at IS NOT NULL AND ? IS NOT NULL';
    default:
      throw new Error(`unknown status filter ${status}`);
  }
}
