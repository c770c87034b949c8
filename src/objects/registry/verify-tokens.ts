// Verify tokens: the credential of the HTTP verifier and of Envoy's ext_authz calls, one project's
// each. Created with a random secret shown once (`kgvt_` + 40 base62, ≈238 bits) and stored only as
// its SHA-256, like keys; listed without it; revoked for good. Each change is audited, then written
// through to KV (`verify-token:<hash>`), where the verifiers look tokens up: a revocation reaches
// them as KV converges (~60 s elsewhere, README "Verifying keys outside the proxy"), and the
// revoking isolate drops its cached copy at once.

import { readPage, type Page } from '../page';
import { randomBase62 } from '../../core/key-format';
import { writeVerifyToken } from '../../kv/keys';
import type { AuditLog } from './audit-log';
import type { KeyRow } from './views';

/** A verify token's row: the columns it shares with a key's, by the same names. */
export type VerifyTokenRow = Pick<KeyRow, 'seq' | 'id' | 'project_id' | 'hash' | 'start' | 'name' | 'created_at' | 'revoked_at'>;

export interface VerifyTokenView {
  id: string;
  projectId: string;
  name: string;
  /** The token's first 12 characters, to tell tokens apart. */
  start: string;
  status: 'active' | 'revoked';
  createdAt: string;
  revokedAt: string | null;
}

export const VERIFY_TOKEN_PREFIX = 'kgvt_';

/** A new token's secret: shown once, never stored. */
export function newVerifyTokenSecret(): string {
  return VERIFY_TOKEN_PREFIX + randomBase62(40);
}

export function verifyTokenView(row: VerifyTokenRow): VerifyTokenView {
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    start: row.start,
    status: row.revoked_at === null ? 'active' : 'revoked',
    createdAt: new Date(row.created_at).toISOString(),
    revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at).toISOString(),
  };
}

export class VerifyTokens {
  constructor(
    private readonly sql: SqlStorage,
    private readonly audit: AuditLog,
    private readonly kv: KVNamespace,
  ) {}

  /** Stores the token of `hash` for the project (which the caller has checked exists). */
  async create(projectId: string, name: string, hash: string, start: string, actor: string, now: number): Promise<VerifyTokenView> {
    const id = `vtk_${randomBase62(20)}`;
    this.sql.exec(
      `INSERT INTO verify_tokens (id, project_id, hash, start, name, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
      id,
      projectId,
      hash,
      start,
      name,
      now,
    );
    this.audit.append(actor, 'verify-token.create', id, { projectId, name }, now);
    await writeVerifyToken(this.kv, hash, { v: 1, id, projectId, status: 'active' });
    return verifyTokenView(this.row(id) as VerifyTokenRow);
  }

  list(projectId: string, limit: number, after: number): Page<VerifyTokenView> {
    const read = (n: number) =>
      this.sql
        .exec<VerifyTokenRow>(`SELECT * FROM verify_tokens WHERE project_id = ? AND seq > ? ORDER BY seq LIMIT ?`, projectId, after, n)
        .toArray();
    return readPage(limit, read, verifyTokenView);
  }

  /**
   * Permanent; revoking a revoked token changes nothing but writes its KV copy again (so a revocation
   * whose write-through failed is completed by asking again). The view and the hash, or null.
   */
  async revoke(id: string, actor: string, now: number): Promise<{ view: VerifyTokenView; hash: string } | null> {
    const row = this.row(id);
    if (row === undefined) return null;
    if (row.revoked_at === null) {
      this.sql.exec(`UPDATE verify_tokens SET revoked_at = ? WHERE id = ?`, now, id);
      this.audit.append(actor, 'verify-token.revoke', id, {}, now);
    }
    await writeVerifyToken(this.kv, row.hash, { v: 1, id, projectId: row.project_id, status: 'revoked' });
    return { view: verifyTokenView(this.row(id) as VerifyTokenRow), hash: row.hash };
  }

  /**
   * Revokes every active token of the project (it is being deleted; the caller's `project.delete`
   * audit entry names them) and returns them; their KV records follow with writeRevoked.
   */
  revokeAllOf(projectId: string, now: number): { id: string; hash: string }[] {
    const live = this.sql
      .exec<Pick<VerifyTokenRow, 'id' | 'hash'>>(
        `SELECT id, hash FROM verify_tokens WHERE project_id = ? AND revoked_at IS NULL`,
        projectId,
      )
      .toArray();
    this.sql.exec(`UPDATE verify_tokens SET revoked_at = ? WHERE project_id = ? AND revoked_at IS NULL`, now, projectId);
    return live;
  }

  /** Writes the revoked tokens of revokeAllOf through to KV, where the verifiers look them up. */
  async writeRevoked(projectId: string, tokens: { id: string; hash: string }[]): Promise<void> {
    for (const { id, hash } of tokens) await writeVerifyToken(this.kv, hash, { v: 1, id, projectId, status: 'revoked' });
  }

  private row(id: string): VerifyTokenRow | undefined {
    return this.sql.exec<VerifyTokenRow>(`SELECT * FROM verify_tokens WHERE id = ?`, id).toArray()[0];
  }
}
