// The WebhookOutbox's SQLite schema (docs/storage-schema.md): one step per version, literal SQL,
// appended only — deployed objects have run every step as written, so a step is never edited; a
// change is a new step at the end. test/object-schemas.test.ts pins the text of every step and the
// tables.

import type { Migrations } from '../sqlite-object';

export const OUTBOX_MIGRATIONS: Migrations = [
  // v1
  [
    `CREATE TABLE deliveries (
       seq INTEGER PRIMARY KEY AUTOINCREMENT,
       id TEXT NOT NULL UNIQUE,
       type TEXT NOT NULL,
       body TEXT NOT NULL,
       created_at INTEGER NOT NULL,
       status TEXT NOT NULL,
       attempts INTEGER NOT NULL,
       next_attempt_at INTEGER,
       last_attempt_at INTEGER,
       last_status INTEGER,
       last_error TEXT,
       delivered_at INTEGER
     )`,
    `CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at)`,
  ],
];

export const OUTBOX_SCHEMA_VERSION = OUTBOX_MIGRATIONS.length;
