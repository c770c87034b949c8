// The registry's plans and customers. A plan or customer change is one SQL step and then a publish
// of every key that takes limits from it (the change feed brings each new edge record to every
// isolate within the revocation bound; KV follows) — the admin edits one plan, never each key.
// Deleting a customer revokes its keys; a plan still held by a key or customer cannot be deleted.

import type { PlanView, RegistryCustomerView } from '../../core/admin-views';
import { readPage, type Page } from '../page';
import type { AuditLog } from './audit-log';
import { HolderTables, type CustomerChange, type HolderRefusal, type NewCustomer, type NewPlan, type PlanChange } from './holders';
import type { KeyTable } from './key-table';
import type { KeyChanged, Notice } from './types';
import { customerView, planView } from './views';

export interface RegistryHooks {
  publish(id: string, now: number): Promise<KeyChanged>;
  notify(notices: Notice[], now: number): Promise<void>;
  projectExists(id: string): boolean;
}

/** A plan or customer after a change, with every key whose edge record it changed. */
export interface HolderChanged<V> {
  view: V;
  changed: KeyChanged[];
}

export type Duplicate = 'duplicate';

export class HolderService {
  constructor(
    private readonly holders: HolderTables,
    private readonly keys: KeyTable,
    private readonly audit: AuditLog,
    private readonly hooks: RegistryHooks,
  ) {}

  createPlan(projectId: string, input: NewPlan, actor: string, now: number): PlanView | null {
    if (!this.hooks.projectExists(projectId)) return null;
    const id = this.holders.insertPlan(projectId, input, now);
    this.audit.append(actor, 'plan.create', id, { projectId, ...input }, now);
    return planView(this.holders.plan(id) as NonNullable<ReturnType<HolderTables['plan']>>);
  }

  getPlan(id: string): PlanView | null {
    const row = this.holders.plan(id);
    return row ? planView(row) : null;
  }

  listPlans(projectId: string, limit: number, after: number): Page<PlanView> | null {
    if (!this.hooks.projectExists(projectId)) return null;
    return readPage(limit, (n) => this.holders.plans(projectId, n, after), planView);
  }

  async updatePlan(id: string, change: PlanChange, actor: string, now: number): Promise<HolderChanged<PlanView> | null> {
    if (!this.holders.plan(id)) return null;
    this.holders.updatePlan(id, change, now);
    this.audit.append(actor, 'plan.update', id, { ...change }, now);
    const changed = await this.republish(this.holders.keysOfPlan(id), now);
    return { view: this.getPlan(id) as PlanView, changed };
  }

  /** 'in-use' while a key or customer holds the plan (move them first). */
  deletePlan(id: string, actor: string, now: number): PlanView | 'in-use' | null {
    const view = this.getPlan(id);
    if (view === null) return null;
    if (this.holders.planInUse(id)) return 'in-use';
    this.holders.markDeleted('plans', id, now);
    this.audit.append(actor, 'plan.delete', id, {}, now);
    return view;
  }

  createCustomer(
    projectId: string,
    input: NewCustomer,
    actor: string,
    now: number,
  ): RegistryCustomerView | HolderRefusal | Duplicate | null {
    if (!this.hooks.projectExists(projectId)) return null;
    const refusal = this.planRefusal(projectId, input.planId);
    if (refusal !== undefined) return refusal;
    if (this.holders.customerByExternalId(projectId, input.externalId)) return 'duplicate';
    const id = this.holders.insertCustomer(projectId, input, now);
    this.audit.append(actor, 'customer.create', id, { projectId, ...input }, now);
    return this.getCustomer(id);
  }

  getCustomer(id: string): RegistryCustomerView | null {
    const row = this.holders.customer(id);
    if (!row) return null;
    return customerView(row, row.plan_id === null ? undefined : this.holders.plan(row.plan_id));
  }

  listCustomers(projectId: string, limit: number, after: number): Page<RegistryCustomerView> | null {
    if (!this.hooks.projectExists(projectId)) return null;
    return readPage(
      limit,
      (n) => this.holders.customers(projectId, n, after),
      (row) => customerView(row, row.plan_id === null ? undefined : this.holders.plan(row.plan_id)),
    );
  }

  /** Moving a customer to another plan keeps what it spent: its keys stay counted by the customer's limiter. */
  async updateCustomer(
    id: string,
    change: CustomerChange,
    actor: string,
    now: number,
  ): Promise<HolderChanged<RegistryCustomerView> | HolderRefusal | Duplicate | null> {
    const row = this.holders.customer(id);
    if (!row) return null;
    const refusal = this.planRefusal(row.project_id, change.planId ?? null);
    if (refusal !== undefined) return refusal;
    const other = change.externalId === undefined ? undefined : this.holders.customerByExternalId(row.project_id, change.externalId);
    if (other !== undefined && other.id !== id) return 'duplicate';
    this.holders.updateCustomer(id, change, now);
    this.audit.append(actor, 'customer.update', id, { ...change }, now);
    const changed = await this.republish(this.holders.keysOfCustomer(id), now);
    return { view: this.getCustomer(id) as RegistryCustomerView, changed };
  }

  /** Deletes the customer and revokes its keys; the revoked keys, or null when there is no such customer. */
  async deleteCustomer(id: string, actor: string, now: number): Promise<KeyChanged[] | null> {
    if (!this.holders.customer(id)) return null;
    const live = this.holders.keysOfCustomer(id);
    this.holders.markDeleted('customers', id, now);
    for (const row of live) this.keys.revoke(row.id, now);
    this.audit.append(actor, 'customer.delete', id, { revokedKeys: live.map((r) => r.id) }, now);
    await this.hooks.notify(
      live.map((r) => ['key.revoked', r.id, { reason: 'customer-deleted' }]),
      now,
    );
    return this.republish(live, now);
  }

  customerKeyIds(id: string): string[] | null {
    if (!this.holders.customer(id)) return null;
    return this.keys.idsOfCustomer(id);
  }

  private planRefusal(projectId: string, planId: string | null): HolderRefusal | undefined {
    if (planId === null || this.holders.plan(planId)?.project_id === projectId) return undefined;
    return { field: 'planId', message: 'no such plan in this project' };
  }

  private async republish(rows: { id: string }[], now: number): Promise<KeyChanged[]> {
    const changed: KeyChanged[] = [];
    for (const row of rows) changed.push(await this.hooks.publish(row.id, now));
    return changed;
  }
}
