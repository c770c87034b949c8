// SQL for plans and customers (docs/storage-schema.md), used only by the Registry Durable Object,
// and the precedence rule that turns a key, its customer and their plan into the limits the edge
// enforces: field by field, the holder's own where set, else its plan's. The holder of a key's
// limits is its customer when it has one (shared by all the customer's keys), else the key.

import { randomBase62 } from '../../core/key-format';
import type { Credits, CustomerRef, Quota, RateLimit } from '../../core/key-record';
/** Why the registry refused a key's customer or plan (a 400 naming the field at the API). */
export type HolderRefusal = { field: 'customerId' | 'planId' | 'rateLimits' | 'quota' | 'credits'; message: string };

/** The limit columns every holder's row has: keys, customers and plans (docs/storage-schema.md). */
type LimitColumns = {
  rate_limits: string;
  quota: string | null;
  credits: string | null;
};

/** The columns a row of plans and customers shares: its identity, project and lifetime. */
type HolderColumns = LimitColumns & {
  seq: number;
  id: string;
  project_id: string;
  name: string;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
};

/** The columns of a key row that its resolution reads (views.ts KeyRow has them all). */
type KeyLimitColumns = LimitColumns & {
  id: string;
  scopes: string;
  meter: string | null;
};

export type PlanRow = HolderColumns & { scopes: string };

export type CustomerRow = HolderColumns & {
  external_id: string;
  metadata: string;
  plan_id: string | null;
};

/** A holder's limits; an empty list or null means "not set": the plan's apply. */
export interface LimitFields {
  rateLimits: RateLimit[];
  quota: Quota | null;
  credits: Credits | null;
}

export interface NewPlan extends LimitFields {
  name: string;
  scopes: string[];
}

export interface NewCustomer extends LimitFields {
  externalId: string;
  name: string;
  metadata: Record<string, string>;
  planId: string | null;
}

export type PlanChange = Partial<NewPlan>;
export type CustomerChange = Partial<NewCustomer>;

/** The limit columns of a key, customer or plan row. */
export function limitFields(row: { rate_limits: string; quota: string | null; credits: string | null }): LimitFields {
  return {
    rateLimits: JSON.parse(row.rate_limits) as RateLimit[],
    quota: row.quota === null ? null : (JSON.parse(row.quota) as Quota),
    credits: row.credits === null ? null : (JSON.parse(row.credits) as Credits),
  };
}

/** Precedence, field by field: the holder's own rate limits, quota and credits where set, else the plan's. */
export function effective(own: LimitFields, plan: LimitFields | null): LimitFields {
  if (plan === null) return own;
  return {
    rateLimits: own.rateLimits.length > 0 ? own.rateLimits : plan.rateLimits,
    quota: own.quota ?? plan.quota,
    credits: own.credits ?? plan.credits,
  };
}

/** What the edge enforces for a key: its holder's effective limits, the meter counting them, its scopes. */
export interface ResolvedKey extends LimitFields {
  meter: string;
  scopes: string[];
  customer: CustomerRef | null;
}

/** The key's limits as its holder (customer, else the key) and their plan give them. */
export function resolveKey(row: KeyLimitColumns, customer: CustomerRow | undefined, plan: PlanRow | undefined): ResolvedKey {
  const planLimits = plan === undefined ? null : limitFields(plan);
  const own = JSON.parse(row.scopes) as string[];
  const scopes = own.length > 0 || plan === undefined ? own : (JSON.parse(plan.scopes) as string[]);
  if (customer !== undefined) {
    const limits = effective(limitFields(customer), planLimits);
    return { ...limits, meter: customer.id, scopes, customer: { id: customer.id, externalId: customer.external_id } };
  }
  return { ...effective(limitFields(row), planLimits), meter: row.meter ?? row.id, scopes, customer: null };
}

const json = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));

export class HolderTables {
  constructor(private readonly sql: SqlStorage) {}

  insertPlan(projectId: string, p: NewPlan, now: number): string {
    const id = `pln_${randomBase62(20)}`;
    this.sql.exec(
      `INSERT INTO plans (id, project_id, name, scopes, rate_limits, quota, credits, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ...[id, projectId, p.name, JSON.stringify(p.scopes), JSON.stringify(p.rateLimits), json(p.quota), json(p.credits), now, now],
    );
    return id;
  }

  plan(id: string): PlanRow | undefined {
    return this.sql.exec<PlanRow>(`SELECT * FROM plans WHERE id = ? AND deleted_at IS NULL`, id).toArray()[0];
  }

  plans(projectId: string, n: number, after: number): PlanRow[] {
    const query = `SELECT * FROM plans WHERE project_id = ? AND seq > ? AND deleted_at IS NULL ORDER BY seq LIMIT ?`;
    return this.sql.exec<PlanRow>(query, projectId, after, n).toArray();
  }

  updatePlan(id: string, change: PlanChange, now: number): void {
    this.update('plans', id, change, now);
  }

  insertCustomer(projectId: string, c: NewCustomer, now: number): string {
    const id = `cus_${randomBase62(20)}`;
    this.sql.exec(
      `INSERT INTO customers (id, project_id, external_id, name, metadata, plan_id, rate_limits, quota, credits, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ...[id, projectId, c.externalId, c.name, JSON.stringify(c.metadata), c.planId, JSON.stringify(c.rateLimits)],
      ...[json(c.quota), json(c.credits), now, now],
    );
    return id;
  }

  customer(id: string): CustomerRow | undefined {
    return this.sql.exec<CustomerRow>(`SELECT * FROM customers WHERE id = ? AND deleted_at IS NULL`, id).toArray()[0];
  }

  customerByExternalId(projectId: string, externalId: string): CustomerRow | undefined {
    const query = `SELECT * FROM customers WHERE project_id = ? AND external_id = ? AND deleted_at IS NULL`;
    return this.sql.exec<CustomerRow>(query, projectId, externalId).toArray()[0];
  }

  customers(projectId: string, n: number, after: number): CustomerRow[] {
    const query = `SELECT * FROM customers WHERE project_id = ? AND seq > ? AND deleted_at IS NULL ORDER BY seq LIMIT ?`;
    return this.sql.exec<CustomerRow>(query, projectId, after, n).toArray();
  }

  updateCustomer(id: string, change: CustomerChange, now: number): void {
    this.update('customers', id, change, now);
  }

  markDeleted(table: 'plans' | 'customers', id: string, now: number): void {
    this.sql.exec(`UPDATE ${table} SET deleted_at = ?, updated_at = ? WHERE id = ?`, now, now, id);
  }

  /** Deletes every customer and plan of a deleted project; returns their ids. */
  deleteAllOf(projectId: string, now: number): { customers: string[]; plans: string[] } {
    const ids = (table: 'customers' | 'plans') =>
      this.sql
        .exec<{ id: string }>(
          `UPDATE ${table} SET deleted_at = ?, updated_at = ? WHERE project_id = ? AND deleted_at IS NULL RETURNING id`,
          now,
          now,
          projectId,
        )
        .toArray()
        .map((r) => r.id);
    return { customers: ids('customers'), plans: ids('plans') };
  }

  /** Whether a key or a customer (not deleted, not revoked) still holds the plan. */
  planInUse(id: string): boolean {
    const query = `SELECT 1 FROM keys WHERE plan_id = ? AND revoked_at IS NULL UNION ALL SELECT 1 FROM customers WHERE plan_id = ? AND deleted_at IS NULL LIMIT 1`;
    return this.sql.exec(query, id, id).toArray().length > 0;
  }

  /** The customer's keys that are not revoked. */
  keysOfCustomer(id: string): { id: string }[] {
    return this.sql.exec<{ id: string }>(`SELECT id FROM keys WHERE customer_id = ? AND revoked_at IS NULL`, id).toArray();
  }

  /** Every key (not revoked) that takes limits from the plan: its own, or its customer's. */
  keysOfPlan(id: string): { id: string }[] {
    const query = `SELECT id FROM keys WHERE revoked_at IS NULL AND (plan_id = ? OR customer_id IN (SELECT id FROM customers WHERE plan_id = ? AND deleted_at IS NULL))`;
    return this.sql.exec<{ id: string }>(query, id, id).toArray();
  }

  /**
   * Why a key may not have this customer or plan: each must exist in the key's project, and a key
   * of a customer takes every limit from the customer (none of its own, no plan of its own).
   */
  refusalFor(
    projectId: string,
    key: Partial<LimitFields> & { customerId?: string | null; planId?: string | null },
  ): HolderRefusal | undefined {
    if (key.customerId != null) {
      if (this.customer(key.customerId)?.project_id !== projectId)
        return { field: 'customerId', message: 'no such customer in this project' };
      for (const field of ['planId', 'rateLimits', 'quota', 'credits'] as const) {
        const value = key[field];
        if (value != null && !(Array.isArray(value) && value.length === 0))
          return { field, message: 'a key of a customer takes its limits from the customer: set them (or its plan) there' };
      }
    }
    if (key.planId != null && this.plan(key.planId)?.project_id !== projectId)
      return { field: 'planId', message: 'no such plan in this project' };
    return undefined;
  }

  private update(table: 'plans' | 'customers', id: string, change: PlanChange & CustomerChange, now: number): void {
    const columns: [keyof (PlanChange & CustomerChange), string, (v: never) => SqlStorageValue][] = [
      ['name', 'name', (v: string) => v],
      ['scopes', 'scopes', (v: string[]) => JSON.stringify(v)],
      ['externalId', 'external_id', (v: string) => v],
      ['metadata', 'metadata', (v: Record<string, string>) => JSON.stringify(v)],
      ['planId', 'plan_id', (v: string | null) => v],
      ['rateLimits', 'rate_limits', (v: RateLimit[]) => JSON.stringify(v)],
      ['quota', 'quota', (v: Quota | null) => json(v)],
      ['credits', 'credits', (v: Credits | null) => json(v)],
    ];
    for (const [field, column, encode] of columns) {
      const value = change[field];
      if (value !== undefined) this.sql.exec(`UPDATE ${table} SET ${column} = ? WHERE id = ?`, encode(value as never), id);
    }
    this.sql.exec(`UPDATE ${table} SET updated_at = ? WHERE id = ?`, now, id);
  }
}
