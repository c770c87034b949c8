// The registry's SQLite schema (docs/storage-schema.md): one step per version, literal SQL, appended
// only — deployed objects have run every step as written, so a step is never edited; a change is a
// new step at the end. test/object-schemas.test.ts pins the text of every step and the tables.

import type { Migrations } from '../sqlite-object';

export const REGISTRY_MIGRATIONS: Migrations = [
  // v1
  [
    `CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)`,
    `CREATE TABLE projects (
       seq INTEGER PRIMARY KEY AUTOINCREMENT,
       id TEXT NOT NULL UNIQUE,
       name TEXT NOT NULL,
       description TEXT,
       metadata TEXT NOT NULL,
       created_at INTEGER NOT NULL,
       updated_at INTEGER NOT NULL
     )`,
    `CREATE TABLE keys (
       seq INTEGER PRIMARY KEY AUTOINCREMENT,
       id TEXT NOT NULL UNIQUE,
       project_id TEXT NOT NULL REFERENCES projects(id),
       hash TEXT NOT NULL UNIQUE,
       start TEXT NOT NULL,
       name TEXT NOT NULL,
       environment TEXT NOT NULL,
       scopes TEXT NOT NULL,
       enabled INTEGER NOT NULL,
       revoked_at INTEGER,
       exposed_at INTEGER,
       exposed_reason TEXT,
       expires_at INTEGER,
       ip_allowlist TEXT,
       metadata TEXT NOT NULL,
       created_at INTEGER NOT NULL,
       updated_at INTEGER NOT NULL,
       last_used_at INTEGER
     )`,
    `CREATE INDEX keys_by_project ON keys (project_id, seq)`,
  ],
  // v2: rotation, project deletion, the change feed, the KV outbox and the audit chain
  [
    `ALTER TABLE projects ADD COLUMN deleted_at INTEGER`,
    `ALTER TABLE keys ADD COLUMN rotated_from TEXT`,
    `ALTER TABLE keys ADD COLUMN rotated_to TEXT`,
    `CREATE TABLE changes (
       seq INTEGER PRIMARY KEY AUTOINCREMENT,
       hash TEXT NOT NULL,
       record TEXT NOT NULL,
       at INTEGER NOT NULL
     )`,
    `CREATE TABLE kv_outbox (
       hash TEXT PRIMARY KEY,
       written_at INTEGER,
       dirty INTEGER NOT NULL
     )`,
    `CREATE TABLE audit (
       seq INTEGER PRIMARY KEY AUTOINCREMENT,
       at INTEGER NOT NULL,
       actor TEXT NOT NULL,
       action TEXT NOT NULL,
       target TEXT NOT NULL,
       changes TEXT NOT NULL,
       prev_hash TEXT NOT NULL,
       hash TEXT NOT NULL
     )`,
  ],
  // v3: per-key limits
  [`ALTER TABLE keys ADD COLUMN rate_limits TEXT NOT NULL DEFAULT '[]'`, `ALTER TABLE keys ADD COLUMN quota TEXT`],
  // v4: webhooks — events not yet handed to the WebhookOutbox, and which expiry notices were sent
  [
    `CREATE TABLE webhook_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL,
  type TEXT NOT NULL,
  body TEXT NOT NULL,
  at INTEGER NOT NULL
)`,
    `CREATE TABLE expiry_notices (
       key_id TEXT NOT NULL,
       window TEXT NOT NULL,
       expires_at INTEGER NOT NULL,
       at INTEGER NOT NULL,
       PRIMARY KEY (key_id, window, expires_at)
     )`,
  ],
  // v5: plans and customers; a key's customer, plan, credits and meter (the limiter its calls count in)
  [
    `CREATE TABLE plans (
       seq INTEGER PRIMARY KEY AUTOINCREMENT,
       id TEXT NOT NULL UNIQUE,
       project_id TEXT NOT NULL REFERENCES projects(id),
       name TEXT NOT NULL,
       scopes TEXT NOT NULL,
       rate_limits TEXT NOT NULL,
       quota TEXT,
       credits TEXT,
       created_at INTEGER NOT NULL,
       updated_at INTEGER NOT NULL,
       deleted_at INTEGER
     )`,
    `CREATE INDEX plans_by_project ON plans (project_id, seq)`,
    `CREATE TABLE customers (
       seq INTEGER PRIMARY KEY AUTOINCREMENT,
       id TEXT NOT NULL UNIQUE,
       project_id TEXT NOT NULL REFERENCES projects(id),
       external_id TEXT NOT NULL,
       name TEXT NOT NULL,
       metadata TEXT NOT NULL,
       plan_id TEXT,
       rate_limits TEXT NOT NULL,
       quota TEXT,
       credits TEXT,
       created_at INTEGER NOT NULL,
       updated_at INTEGER NOT NULL,
       deleted_at INTEGER
     )`,
    `CREATE INDEX customers_by_project ON customers (project_id, seq)`,
    `CREATE UNIQUE INDEX customers_by_external_id ON customers (project_id, external_id) WHERE deleted_at IS NULL`,
    `CREATE INDEX customers_by_plan ON customers (plan_id) WHERE plan_id IS NOT NULL`,
    `ALTER TABLE keys ADD COLUMN customer_id TEXT`,
    `ALTER TABLE keys ADD COLUMN plan_id TEXT`,
    `ALTER TABLE keys ADD COLUMN credits TEXT`,
    `ALTER TABLE keys ADD COLUMN meter TEXT`,
    `CREATE INDEX keys_by_customer ON keys (customer_id) WHERE customer_id IS NOT NULL`,
    `CREATE INDEX keys_by_plan ON keys (plan_id) WHERE plan_id IS NOT NULL`,
  ],
  // v6: verify tokens, the credential of the HTTP and Envoy verifiers (by hash, like keys)
  [
    `CREATE TABLE verify_tokens (
       seq INTEGER PRIMARY KEY AUTOINCREMENT,
       id TEXT NOT NULL UNIQUE,
       project_id TEXT NOT NULL REFERENCES projects(id),
       hash TEXT NOT NULL UNIQUE,
       start TEXT NOT NULL,
       name TEXT NOT NULL,
       created_at INTEGER NOT NULL,
       revoked_at INTEGER
     )`,
    `CREATE INDEX verify_tokens_by_project ON verify_tokens (project_id, seq)`,
  ],
];

export const REGISTRY_SCHEMA_VERSION = REGISTRY_MIGRATIONS.length;
