// SQL for the `keys` table (docs/storage-schema.md), used only by the Registry Durable Object.

import type { ExposurePolicy } from '../../core/key-record';
import { randomBase62 } from '../../core/key-format';
import type { ExposureReason, KeyChange, NewKey, RotateRefusal } from './types';
import type { KeyRow } from './views';

/** SQL for a status filter; the single `?` it adds takes `now`. */
const STATUS_FILTERS: Record<string, string> = {
  revoked: 'AND revoked_at IS NOT NULL AND ? IS NOT NULL',
  disabled: 'AND revoked_at IS NULL AND enabled = 0 AND ? IS NOT NULL',
  expired: 'AND revoked_at IS NULL AND enabled = 1 AND expires_at IS NOT NULL AND expires_at <= ?',
  active: 'AND revoked_at IS NULL AND enabled = 1 AND (expires_at IS NULL OR expires_at > ?)',
  exposed: 'AND exposed_at IS NOT NULL AND ? IS NOT NULL',
};

export function rotateRefusal(row: KeyRow, now: number): RotateRefusal | undefined {
  if (row.revoked_at !== null) return 'revoked';
  if (row.rotated_to !== null) return 'rotated';
  if (row.enabled !== 1) return 'disabled';
  if (row.expires_at !== null && row.expires_at <= now) return 'expired';
  return undefined;
}

/**
 * A rotation's new key: the old one's name, scopes, environment, IP allowlist, metadata, limits,
 * customer and plan, and its meter — so both keys spend one set of counters and one balance.
 */
export function successorOf(row: KeyRow): NewKey {
  return {
    name: row.name,
    scopes: JSON.parse(row.scopes) as string[],
    environment: row.environment as NewKey['environment'],
    expiresAt: null,
    ipAllowlist: row.ip_allowlist === null ? null : (JSON.parse(row.ip_allowlist) as string[]),
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    rateLimits: JSON.parse(row.rate_limits) as NewKey['rateLimits'],
    quota: row.quota === null ? null : (JSON.parse(row.quota) as NewKey['quota']),
    credits: row.credits === null ? null : (JSON.parse(row.credits) as NewKey['credits']),
    customerId: row.customer_id,
    planId: row.plan_id,
    // Rotation keeps what was spent: the successor is counted by the same limiter as the old key.
    meter: row.meter ?? row.id,
  };
}

export function newKeyId(): string {
  return `key_${randomBase62(20)}`;
}

export class KeyTable {
  constructor(private readonly sql: SqlStorage) {}

  insert(projectId: string, input: NewKey, hash: string, start: string, rotatedFrom: string | null, now: number, id = newKeyId()): string {
    this.sql.exec(
      `INSERT INTO keys (id, project_id, hash, start, name, environment, scopes, enabled, expires_at, ip_allowlist, metadata, created_at, updated_at, rotated_from, rate_limits, quota, credits, customer_id, plan_id, meter)
       VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
      rotatedFrom,
      JSON.stringify(input.rateLimits),
      input.quota === null ? null : JSON.stringify(input.quota),
      input.credits === null ? null : JSON.stringify(input.credits),
      input.customerId,
      input.planId,
      input.meter ?? null,
    );
    return id;
  }

  byId(id: string): KeyRow | undefined {
    return this.sql.exec<KeyRow>(`SELECT * FROM keys WHERE id = ?`, id).toArray()[0];
  }

  byHash(hash: string): KeyRow | undefined {
    return this.sql.exec<KeyRow>(`SELECT * FROM keys WHERE hash = ?`, hash).toArray()[0];
  }

  list(projectId: string, limit: number, after: number, now: number, status?: string): KeyRow[] {
    const filter = status ? STATUS_FILTERS[status] : undefined;
    if (status && filter === undefined) throw new Error(`unknown status filter ${status}`);
    return this.sql
      .exec<KeyRow>(
        `SELECT * FROM keys WHERE project_id = ? AND seq > ? ${filter ?? ''} ORDER BY seq LIMIT ?`,
        projectId,
        after,
        ...(filter ? [now] : []),
        limit,
      )
      .toArray();
  }

  /** Every key of the customer, revoked ones too (its usage is the customer's). */
  idsOfCustomer(customerId: string): string[] {
    return this.sql
      .exec<{ id: string }>(`SELECT id FROM keys WHERE customer_id = ? ORDER BY seq`, customerId)
      .toArray()
      .map((r) => r.id);
  }

  unrevokedOf(projectId: string): KeyRow[] {
    return this.sql.exec<KeyRow>(`SELECT * FROM keys WHERE project_id = ? AND revoked_at IS NULL`, projectId).toArray();
  }

  update(id: string, change: KeyChange, now: number): void {
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
    if (change.rateLimits !== undefined) put('rate_limits', JSON.stringify(change.rateLimits));
    if (change.quota !== undefined) put('quota', change.quota === null ? null : JSON.stringify(change.quota));
    if (change.credits !== undefined) put('credits', change.credits === null ? null : JSON.stringify(change.credits));
    if (change.planId !== undefined) put('plan_id', change.planId);
    put('updated_at', now);
    this.sql.exec(`UPDATE keys SET ${sets.join(', ')} WHERE id = ?`, ...values, id);
  }

  revoke(id: string, now: number): void {
    this.sql.exec(`UPDATE keys SET revoked_at = COALESCE(revoked_at, ?), updated_at = ? WHERE id = ?`, now, now, id);
  }

  /**
   * Retires the key for `successor` if, in this same statement, it is still rotatable: active at
   * `now` (not revoked, enabled, not expired) and never rotated. It then points at its successor and
   * expires at `graceEnd` (or earlier, if it already expired sooner). False when it was not
   * rotatable: the check and the write are one conditional UPDATE, so two rotations cannot both pass.
   */
  retireIfRotatable(id: string, successor: string, graceEnd: number, now: number): boolean {
    const cursor = this.sql.exec(
      `UPDATE keys SET rotated_to = ?, expires_at = MIN(COALESCE(expires_at, ?), ?), updated_at = ?
       WHERE id = ? AND rotated_to IS NULL AND revoked_at IS NULL AND enabled = 1 AND (expires_at IS NULL OR expires_at > ?)`,
      successor,
      graceEnd,
      graceEnd,
      now,
      id,
      now,
    );
    return cursor.rowsWritten > 0;
  }

  /**
   * Marks the key exposed (the first reason is kept) and applies the policy: `revoke` revokes it,
   * `disable` disables it (an admin may enable it again), `flag` only marks it. True when the key's
   * status changed (so the edge must learn of it).
   */
  markExposed(row: KeyRow, reason: ExposureReason, policy: ExposurePolicy, now: number): boolean {
    const revoke = policy === 'revoke' && row.revoked_at === null;
    const disable = policy === 'disable' && row.revoked_at === null && row.enabled === 1;
    this.sql.exec(
      `UPDATE keys SET exposed_at = COALESCE(exposed_at, ?), exposed_reason = COALESCE(exposed_reason, ?),
         revoked_at = CASE WHEN ? THEN ? ELSE revoked_at END, enabled = CASE WHEN ? THEN 0 ELSE enabled END, updated_at = ?
       WHERE id = ?`,
      now,
      reason,
      revoke ? 1 : 0,
      now,
      disable ? 1 : 0,
      now,
      row.id,
    );
    return revoke || disable;
  }
}
