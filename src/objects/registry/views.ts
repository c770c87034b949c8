// Rows of the registry as the admin API shows them, and as the edge reads them (KeyRecord).

import type { Environment } from '../../core/key-format';
import { KEY_RECORD_VERSION, type Credits, type KeyRecord, type Quota, type RateLimit } from '../../core/key-record';
import type { ExposedReason, KeyStatus, PlanView, ProjectView, RegistryCustomerView, RegistryKeyView } from '../../core/admin-views';
import { effective, limitFields, type CustomerRow, type PlanRow, type ResolvedKey } from './holders';

/** The admin API's views, declared once with their schemas (core/admin-views.ts). */
export type { KeyStatus, ProjectView };
export type KeyView = RegistryKeyView;

export type ProjectRow = {
  seq: number;
  id: string;
  name: string;
  description: string | null;
  metadata: string;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
};

export type KeyRow = {
  seq: number;
  id: string;
  project_id: string;
  hash: string;
  start: string;
  name: string;
  environment: string;
  scopes: string;
  enabled: number;
  revoked_at: number | null;
  exposed_at: number | null;
  exposed_reason: string | null;
  expires_at: number | null;
  ip_allowlist: string | null;
  metadata: string;
  created_at: number;
  updated_at: number;
  last_used_at: number | null;
  rotated_from: string | null;
  rotated_to: string | null;
  rate_limits: string;
  quota: string | null;
  customer_id: string | null;
  plan_id: string | null;
  credits: string | null;
  meter: string | null;
};

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function projectView(row: ProjectRow): ProjectView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export function keyStatus(row: KeyRow, now: number): KeyStatus {
  if (row.revoked_at !== null) return 'revoked';
  if (!row.enabled) return 'disabled';
  if (row.expires_at !== null && row.expires_at <= now) return 'expired';
  return 'active';
}

export function keyView(row: KeyRow, now: number, resolved: ResolvedKey): KeyView {
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    start: row.start,
    environment: row.environment as Environment,
    scopes: JSON.parse(row.scopes) as string[],
    status: keyStatus(row, now),
    exposed: row.exposed_at !== null,
    exposedReason: row.exposed_reason as ExposedReason | null,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    expiresAt: iso(row.expires_at),
    lastUsedAt: iso(row.last_used_at),
    revokedAt: iso(row.revoked_at),
    rotatedFrom: row.rotated_from,
    rotatedTo: row.rotated_to,
    customerId: row.customer_id,
    planId: row.plan_id,
    rateLimits: JSON.parse(row.rate_limits) as RateLimit[],
    quota: row.quota === null ? null : (JSON.parse(row.quota) as Quota),
    credits: row.credits === null ? null : (JSON.parse(row.credits) as Credits),
    effective: { rateLimits: resolved.rateLimits, quota: resolved.quota, credits: resolved.credits },
    meter: resolved.meter,
    ipAllowlist: row.ip_allowlist === null ? [] : (JSON.parse(row.ip_allowlist) as string[]),
    metadata: JSON.parse(row.metadata) as Record<string, string>,
  };
}

/**
 * The edge's copy of a key: what verifyKey needs, nothing more (no hash, no plaintext, no names),
 * with the limits, scopes and meter its holder and their plan give it (holders.ts resolveKey).
 */
export function edgeRecord(row: KeyRow, resolved: ResolvedKey): KeyRecord {
  return {
    v: KEY_RECORD_VERSION,
    id: row.id,
    projectId: row.project_id,
    environment: row.environment as Environment,
    scopes: resolved.scopes,
    status: row.revoked_at !== null ? 'revoked' : row.enabled ? 'active' : 'disabled',
    expiresAt: row.expires_at,
    ipAllowlist: row.ip_allowlist === null ? null : (JSON.parse(row.ip_allowlist) as string[]),
    rateLimits: resolved.rateLimits,
    quota: resolved.quota,
    credits: resolved.credits,
    meter: resolved.meter,
    customer: resolved.customer,
  };
}

export function planView(row: PlanRow): PlanView {
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    scopes: JSON.parse(row.scopes) as string[],
    ...limitFields(row),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export function customerView(row: CustomerRow, plan: PlanRow | undefined): RegistryCustomerView {
  const own = limitFields(row);
  return {
    id: row.id,
    projectId: row.project_id,
    externalId: row.external_id,
    name: row.name,
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    planId: row.plan_id,
    ...own,
    effective: effective(own, plan === undefined ? null : limitFields(plan)),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** A key as webhooks describe it: ids, name, start and state — never the hash or anything secret. */
export function keyEventData(row: KeyRow, now: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    keyId: row.id,
    projectId: row.project_id,
    name: row.name,
    start: row.start,
    environment: row.environment,
    status: keyStatus(row, now),
    createdAt: new Date(row.created_at).toISOString(),
    expiresAt: iso(row.expires_at),
    revokedAt: iso(row.revoked_at),
    ...extra,
  };
}
