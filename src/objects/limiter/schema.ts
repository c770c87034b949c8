// The KeyLimiter's SQLite schema (docs/storage-schema.md): one step per version, literal SQL, appended
// only — deployed objects have run every step as written, so a step is never edited; a change is a
// new step at the end. test/object-schemas.test.ts pins the text of every step and the tables.

import type { Migrations } from '../sqlite-object';

export const LIMITER_MIGRATIONS: Migrations = [
  // v1 (objects created before schema versions had these tables already, hence IF NOT EXISTS)
  [
    `CREATE TABLE IF NOT EXISTS hits (window TEXT NOT NULL, at INTEGER NOT NULL)`,
    `CREATE INDEX IF NOT EXISTS hits_by_window ON hits (window, at)`,
    `CREATE TABLE IF NOT EXISTS quota_use (period_key TEXT PRIMARY KEY, used INTEGER NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS decisions (request_id TEXT PRIMARY KEY, at INTEGER NOT NULL, verdict TEXT NOT NULL)`,
  ],
  // v2: leases
  [
    `ALTER TABLE hits ADD COLUMN lease_id TEXT`,
    `CREATE INDEX hits_by_lease ON hits (lease_id) WHERE lease_id IS NOT NULL`,
    `CREATE TABLE leases (
       id TEXT PRIMARY KEY,
       holder TEXT NOT NULL,
       units INTEGER NOT NULL,
       period_key TEXT,
       expires_at INTEGER NOT NULL
     )`,
  ],
  // v3: quota webhooks — which notices this period has had, and events not yet handed over
  [
    `CREATE TABLE quota_notices (
  period_key TEXT NOT NULL,
  kind TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (period_key, kind)
)`,
    `CREATE TABLE webhook_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL,
  type TEXT NOT NULL,
  body TEXT NOT NULL,
  at INTEGER NOT NULL
)`,
  ],
  // v4: credits — the meter's balance and the refill period it was last refilled in; what a lease reserved of it
  [
    `CREATE TABLE credits (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  balance INTEGER NOT NULL,
  refill_key TEXT
)`,
    `ALTER TABLE leases ADD COLUMN cost INTEGER NOT NULL DEFAULT 0`,
    `ALTER TABLE leases ADD COLUMN credit_key TEXT`,
  ],
];

export const LIMITER_SCHEMA_VERSION = LIMITER_MIGRATIONS.length;
