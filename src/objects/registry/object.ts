// The registry: projects, keys and the audit log in Durable Object SQLite — the source of truth for
// the admin API (read-your-writes). One object serialises every change, so concurrent admin writes
// cannot interleave. Every key change is published to the edge (EdgePublisher: the change feed and
// KV). Lifecycle webhooks (key.created, key.revoked, key.exposed, key.expiring) are queued in its
// own SQLite with the change that causes them and handed to the WebhookOutbox by the alarm. It
// never sees a plaintext key.

import { readPage, type Page } from '../page';
import { randomBase62 } from '../../core/key-format';
import type { ExposurePolicy, KeyRecord } from '../../core/key-record';
import type { FeedSnapshot } from '../../core/feed-snapshot';
import { LocalOutbox } from '../../webhooks/events';
import { SqliteObject } from '../sqlite-object';
import { AuditLog } from './audit-log';
import { EdgePublisher } from './edge-publisher';
import { takeExpiryNotices } from './expiry-notices';
import { KeyTable, newKeyId, rotateRefusal, successorOf } from './key-table';
import { REGISTRY_MIGRATIONS } from './schema';
import type {
  AuditPage,
  Exposed,
  ExposureReport,
  Notice,
  KeyChange,
  KeyChanged,
  ProjectDeleted,
  NewKey,
  NewProject,
  ProjectChange,
  RotateRefusal,
} from './types';
import { edgeRecord, keyEventData, keyView, projectView, type KeyRow, type KeyView, type ProjectRow, type ProjectView } from './views';
import { HolderTables, resolveKey, type HolderRefusal, type ResolvedKey } from './holders';
import { HolderService } from './holder-service';
import type { PlanView, RegistryCustomerView } from '../../core/admin-views';
import { VerifyTokens, type VerifyTokenView } from './verify-tokens';

export const SYSTEM_ACTOR = 'keygate';

export class Registry extends SqliteObject {
  private readonly keys: KeyTable;
  private readonly audit: AuditLog;
  private readonly publisher: EdgePublisher;
  private readonly events: LocalOutbox;
  private readonly holders: HolderTables;
  /** Plans and customers (holder-service.ts). */
  private readonly service: HolderService;
  /** The verifiers' credentials (verify-tokens.ts). */
  private readonly verifyTokens: VerifyTokens;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, REGISTRY_MIGRATIONS);
    this.keys = new KeyTable(this.sql);
    this.holders = new HolderTables(this.sql);
    this.audit = new AuditLog(this.sql);
    this.publisher = new EdgePublisher(this.sql, ctx.storage, env.KEYS);
    this.events = new LocalOutbox(ctx.storage, env);
    this.verifyTokens = new VerifyTokens(this.sql, this.audit, env.KEYS);
    this.service = new HolderService(this.holders, this.keys, this.audit, {
      publish: (id, now) => this.publish(id, now),
      notify: (notices, now) => this.notify(notices, now),
      projectExists: (id) => this.projectRow(id) !== undefined,
    });
  }

  // --- projects

  createProject(input: NewProject, actor: string, now: number): ProjectView {
    const id = `prj_${randomBase62(20)}`;
    const metadata = JSON.stringify(input.metadata ?? {});
    this.sql.exec(
      `INSERT INTO projects (id, name, description, metadata, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
      id,
      input.name,
      input.description ?? null,
      metadata,
      now,
      now,
    );
    this.audit.append(actor, 'project.create', id, { ...input }, now);
    return projectView(this.projectRow(id) as ProjectRow);
  }

  getProject(id: string): ProjectView | null {
    const row = this.projectRow(id);
    return row ? projectView(row) : null;
  }

  listProjects(limit: number, after: number): Page<ProjectView> {
    const read = (n: number) =>
      this.sql.exec<ProjectRow>(`SELECT * FROM projects WHERE seq > ? AND deleted_at IS NULL ORDER BY seq LIMIT ?`, after, n).toArray();
    return readPage(limit, read, projectView);
  }

  updateProject(id: string, change: ProjectChange, actor: string, now: number): ProjectView | null {
    if (!this.projectRow(id)) return null;
    if (change.name !== undefined) this.sql.exec(`UPDATE projects SET name = ? WHERE id = ?`, change.name, id);
    if (change.description !== undefined) this.sql.exec(`UPDATE projects SET description = ? WHERE id = ?`, change.description, id);
    if (change.metadata !== undefined) this.sql.exec(`UPDATE projects SET metadata = ? WHERE id = ?`, JSON.stringify(change.metadata), id);
    this.sql.exec(`UPDATE projects SET updated_at = ? WHERE id = ?`, now, id);
    this.audit.append(actor, 'project.update', id, { ...change }, now);
    return projectView(this.projectRow(id) as ProjectRow);
  }

  /**
   * Deletes the project with its customers and plans, and revokes every key and verify token it has;
   * null when there is no such project.
   */
  async deleteProject(id: string, actor: string, now: number): Promise<ProjectDeleted | null> {
    if (!this.projectRow(id)) return null;
    this.sql.exec(`UPDATE projects SET deleted_at = ?, updated_at = ? WHERE id = ?`, now, now, id);
    const live = this.keys.unrevokedOf(id);
    for (const row of live) this.keys.revoke(row.id, now);
    const holders = this.holders.deleteAllOf(id, now);
    const tokens = this.verifyTokens.revokeAllOf(id, now);
    this.audit.append(
      actor,
      'project.delete',
      id,
      {
        revokedKeys: live.map((r) => r.id),
        revokedVerifyTokens: tokens.map((t) => t.id),
        deletedCustomers: holders.customers,
        deletedPlans: holders.plans,
      },
      now,
    );
    await this.notify(
      live.map((r) => ['key.revoked', r.id, { reason: 'project-deleted' }]),
      now,
    );
    await this.verifyTokens.writeRevoked(id, tokens);
    const keys: KeyChanged[] = [];
    for (const row of live) keys.push(await this.publish(row.id, now));
    return { keys, verifyTokenHashes: tokens.map((t) => t.hash) };
  }

  // --- keys

  /** Stores a key by hash; null when the project does not exist, the refusal when its customer or plan may not be. */
  async createKey(
    projectId: string,
    input: NewKey,
    hash: string,
    start: string,
    actor: string,
    now: number,
  ): Promise<KeyChanged | HolderRefusal | null> {
    if (!this.projectRow(projectId)) return null;
    const refusal = this.holders.refusalFor(projectId, input);
    if (refusal !== undefined) return refusal;
    const id = this.keys.insert(projectId, input, hash, start, null, now);
    this.audit.append(actor, 'key.create', id, { projectId, ...input }, now);
    await this.notify([['key.created', id, { rotatedFrom: null }]], now);
    return this.publish(id, now);
  }

  getKey(id: string, now: number): KeyView | null {
    const row = this.keys.byId(id);
    return row ? keyView(row, now, this.resolved(row)) : null;
  }

  listKeys(projectId: string, limit: number, after: number, now: number, status?: string): Page<KeyView> | null {
    if (!this.projectRow(projectId)) return null;
    return readPage(
      limit,
      (n) => this.keys.list(projectId, n, after, now, status),
      (row) => keyView(row, now, this.resolved(row)),
    );
  }

  /** Applies a validated change; 'revoked' when the key is revoked (a revoked key never changes). */
  async updateKey(id: string, change: KeyChange, actor: string, now: number): Promise<KeyChanged | HolderRefusal | 'revoked' | null> {
    const row = this.keys.byId(id);
    if (!row) return null;
    if (row.revoked_at !== null) return 'revoked';
    const refusal = this.holders.refusalFor(row.project_id, { ...change, customerId: row.customer_id });
    if (refusal !== undefined) return refusal;
    this.keys.update(id, change, now);
    this.audit.append(actor, 'key.update', id, { ...change }, now);
    return this.publish(id, now);
  }

  /** Permanent. Revoking a revoked key changes nothing and returns it as it is. */
  async revokeKey(id: string, actor: string, now: number): Promise<KeyChanged | null> {
    const row = this.keys.byId(id);
    if (!row) return null;
    if (row.revoked_at === null) {
      this.keys.revoke(id, now);
      this.audit.append(actor, 'key.revoke', id, {}, now);
      await this.notify([['key.revoked', id, { reason: 'admin' }]], now);
    }
    return this.publish(id, now);
  }

  /**
   * A new key with the old one's name, scopes, environment, IP allowlist, metadata, limits, customer
   * and plan, counted by the old one's meter (issue 16: rotation keeps what was spent — both keys
   * spend one set of counters and one balance); the old key keeps working until now + grace,
   * then expires. Only an active key that was never rotated can be rotated: otherwise the reason
   * (409 at the API). The check, the old key's retirement and the successor's insert are one
   * synchronous transaction before any await, so concurrent rotations make exactly one successor.
   */
  async rotateKey(
    id: string,
    graceSeconds: number,
    hash: string,
    start: string,
    actor: string,
    now: number,
  ): Promise<{ created: KeyChanged; old: KeyChanged } | RotateRefusal | null> {
    const row = this.keys.byId(id);
    if (!row) return null;
    const refusal = rotateRefusal(row, now);
    if (refusal !== undefined) return refusal;
    const input = successorOf(row);
    const newId = newKeyId();
    const rotated = this.ctx.storage.transactionSync(() => {
      if (!this.keys.retireIfRotatable(id, newId, now + graceSeconds * 1000, now)) return false;
      this.keys.insert(row.project_id, input, hash, start, id, now, newId);
      this.audit.append(actor, 'key.rotate', id, { newKeyId: newId, gracePeriodSeconds: graceSeconds }, now);
      return true;
    });
    // Unreachable while this method does not await before the transaction; kept so that it stays exact.
    if (!rotated) return rotateRefusal(this.keys.byId(id) as KeyRow, now) ?? 'rotated';
    await this.notify([['key.created', newId, { rotatedFrom: id }]], now);
    const created = await this.publish(newId, now);
    return { created, old: await this.publish(id, now) };
  }

  /**
   * Marks the key behind each report exposed and applies `policy` (revoke, disable or just flag) in
   * one transaction with the audit entries (`key.exposed` the first time a key is seen over http or
   * in a URL, `key.leaked` for every scanner report, with where it was found); keys whose edge
   * record changed are then published. Hashes no key has are skipped. One entry per key found,
   * including keys that were already revoked.
   */
  async expose(reports: readonly ExposureReport[], policy: ExposurePolicy, now: number): Promise<Exposed[]> {
    const notices: Notice[] = [];
    const found = this.ctx.storage.transactionSync(() => {
      const changed = new Map<string, boolean>();
      for (const { hash, reason, found: where } of reports) {
        const row = this.keys.byHash(hash);
        if (!row) continue;
        if (reason === 'leak') this.audit.append(SYSTEM_ACTOR, 'key.leaked', row.id, { ...where, policy }, now);
        else if (row.exposed_at === null) this.audit.append(SYSTEM_ACTOR, 'key.exposed', row.id, { reason, policy }, now);
        // Webhooks: the first sighting of a key, and its revocation by policy (each once).
        if (row.exposed_at === null && !changed.has(row.id)) notices.push(['key.exposed', row.id, { reason, policy }]);
        if (row.revoked_at === null && policy === 'revoke' && !changed.has(row.id))
          notices.push(['key.revoked', row.id, { reason: 'exposed' }]);
        changed.set(row.id, this.keys.markExposed(row, reason, policy, now) || changed.get(row.id) === true);
      }
      return changed;
    });
    await this.notify(notices, now);
    const exposed: Exposed[] = [];
    for (const [id, changed] of found) {
      const row = this.keys.byId(id) as KeyRow;
      const record = changed ? (await this.publish(id, now)).record : this.recordOf(row);
      exposed.push({ hash: row.hash, keyId: id, record, at: now, changed });
    }
    return exposed;
  }

  /** lastUsedAt from the usage shards (keyId → epoch ms of its last forwarded call); never moves backwards. */
  touchKeys(batch: Record<string, number>): void {
    for (const [id, at] of Object.entries(batch)) {
      this.sql.exec(`UPDATE keys SET last_used_at = MAX(COALESCE(last_used_at, 0), ?) WHERE id = ?`, at, id);
    }
  }

  // --- plans and customers (holder-service.ts): a change republishes every key that takes limits from them

  createPlan(...a: Parameters<HolderService['createPlan']>): ReturnType<HolderService['createPlan']> {
    return this.service.createPlan(...a);
  }
  getPlan(id: string): PlanView | null {
    return this.service.getPlan(id);
  }
  listPlans(...a: Parameters<HolderService['listPlans']>): ReturnType<HolderService['listPlans']> {
    return this.service.listPlans(...a);
  }
  updatePlan(...a: Parameters<HolderService['updatePlan']>): ReturnType<HolderService['updatePlan']> {
    return this.service.updatePlan(...a);
  }
  deletePlan(...a: Parameters<HolderService['deletePlan']>): ReturnType<HolderService['deletePlan']> {
    return this.service.deletePlan(...a);
  }
  createCustomer(...a: Parameters<HolderService['createCustomer']>): ReturnType<HolderService['createCustomer']> {
    return this.service.createCustomer(...a);
  }
  getCustomer(id: string): RegistryCustomerView | null {
    return this.service.getCustomer(id);
  }
  listCustomers(...a: Parameters<HolderService['listCustomers']>): ReturnType<HolderService['listCustomers']> {
    return this.service.listCustomers(...a);
  }
  updateCustomer(...a: Parameters<HolderService['updateCustomer']>): ReturnType<HolderService['updateCustomer']> {
    return this.service.updateCustomer(...a);
  }
  deleteCustomer(...a: Parameters<HolderService['deleteCustomer']>): ReturnType<HolderService['deleteCustomer']> {
    return this.service.deleteCustomer(...a);
  }
  /** Every key the customer ever had (revoked ones too: their usage is the customer's). */
  customerKeyIds(id: string): string[] | null {
    return this.service.customerKeyIds(id);
  }

  // --- verify tokens (verify-tokens.ts)

  /** The token of `hash` for the project; null when there is no such project. */
  async createVerifyToken(
    projectId: string,
    name: string,
    hash: string,
    start: string,
    actor: string,
    now: number,
  ): Promise<VerifyTokenView | null> {
    if (!this.projectRow(projectId)) return null;
    return this.verifyTokens.create(projectId, name, hash, start, actor, now);
  }
  listVerifyTokens(projectId: string, limit: number, after: number): Page<VerifyTokenView> | null {
    if (!this.projectRow(projectId)) return null;
    return this.verifyTokens.list(projectId, limit, after);
  }
  revokeVerifyToken(...a: Parameters<VerifyTokens['revoke']>): ReturnType<VerifyTokens['revoke']> {
    return this.verifyTokens.revoke(...a);
  }

  // --- the edge and the audit log

  /** The change feed after `after`, complete as of this object's clock (the only clock `confirmedAt` comes from). */
  changesSince(after: number): FeedSnapshot {
    return this.publisher.changesSince(after, Date.now());
  }

  /** The scheduled run: queues key.expiring for keys 7 days / 1 day from expiry not yet told; how many. */
  async noticeExpiring(now: number): Promise<number> {
    if (!this.events.enabled) return 0;
    const notices = takeExpiryNotices(this.sql, now);
    await this.notify(
      notices.map(({ row, window }) => ['key.expiring', row.id, { window }]),
      now,
    );
    return notices.length;
  }

  override async alarm(): Promise<void> {
    await this.publisher.flushOutbox(Date.now(), (hash) => {
      const row = this.keys.byHash(hash);
      return row ? this.recordOf(row) : null;
    });
    await this.events.handOver(Date.now());
  }

  /** Queues webhook events about keys as they are now (same synchronous step as the change). */
  private notify(notices: Notice[], now: number): Promise<void> {
    if (!this.events.enabled) return Promise.resolve();
    const events = notices.map(([type, id, extra]) => ({ type, data: keyEventData(this.keys.byId(id) as KeyRow, now, extra) }));
    return this.events.queue(events, now);
  }

  listAudit(limit: number, after: number): AuditPage {
    return { ...this.audit.list(limit, after), chain: this.audit.verify() };
  }

  /** The key's edge record, with the limits its customer and their plan give it. */
  private recordOf(row: KeyRow): KeyRecord {
    return edgeRecord(row, this.resolved(row));
  }

  private resolved(row: KeyRow): ResolvedKey {
    const customer = row.customer_id === null ? undefined : this.holders.customer(row.customer_id);
    const planId = customer === undefined ? row.plan_id : customer.plan_id;
    return resolveKey(row, customer, planId === null ? undefined : this.holders.plan(planId));
  }

  private async publish(id: string, now: number): Promise<KeyChanged> {
    const row = this.keys.byId(id) as KeyRow;
    const resolved = this.resolved(row);
    const record = edgeRecord(row, resolved);
    await this.publisher.publish(row.hash, record, now);
    return { view: keyView(row, now, resolved), hash: row.hash, record };
  }

  private projectRow(id: string): ProjectRow | undefined {
    return this.sql.exec<ProjectRow>(`SELECT * FROM projects WHERE id = ? AND deleted_at IS NULL`, id).toArray()[0];
  }
}
