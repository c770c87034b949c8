// The UsageShard's SQLite schema (docs/storage-schema.md): one step per version, literal SQL, appended
// only — deployed objects have run every step as written, so a step is never edited; a change is a
// new step at the end. test/object-schemas.test.ts pins the text of every step and the tables.

import type { Migrations } from '../sqlite-object';

export const USAGE_MIGRATIONS: Migrations = [
  // v1
  [
    `CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)`,
    `CREATE TABLE flushes (id TEXT PRIMARY KEY, at INTEGER NOT NULL)`,
    `
  CREATE TABLE usage_minute (
    bucket INTEGER NOT NULL,
    key_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    route TEXT NOT NULL,
    status_class TEXT NOT NULL,
    outcome TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (bucket, key_id, project_id, route, status_class, outcome)
  ) WITHOUT ROWID`,
    `CREATE INDEX usage_minute_by_key ON usage_minute (key_id, bucket)`,
    `CREATE INDEX usage_minute_by_project ON usage_minute (project_id, bucket)`,
    `
  CREATE TABLE usage_hour (
    bucket INTEGER NOT NULL,
    key_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    route TEXT NOT NULL,
    status_class TEXT NOT NULL,
    outcome TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (bucket, key_id, project_id, route, status_class, outcome)
  ) WITHOUT ROWID`,
    `CREATE INDEX usage_hour_by_key ON usage_hour (key_id, bucket)`,
    `CREATE INDEX usage_hour_by_project ON usage_hour (project_id, bucket)`,
    `
  CREATE TABLE usage_day (
    bucket INTEGER NOT NULL,
    key_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    route TEXT NOT NULL,
    status_class TEXT NOT NULL,
    outcome TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (bucket, key_id, project_id, route, status_class, outcome)
  ) WITHOUT ROWID`,
    `CREATE INDEX usage_day_by_key ON usage_day (key_id, bucket)`,
    `CREATE INDEX usage_day_by_project ON usage_day (project_id, bucket)`,
    `CREATE TABLE requests (
       at INTEGER NOT NULL,
       request_id TEXT NOT NULL,
       key_id TEXT NOT NULL,
       method TEXT NOT NULL,
       path TEXT NOT NULL,
       route TEXT NOT NULL,
       status INTEGER NOT NULL,
       latency_ms INTEGER NOT NULL,
       client_ip TEXT NOT NULL,
       country TEXT NOT NULL,
       user_agent TEXT NOT NULL,
       outcome TEXT NOT NULL,
       PRIMARY KEY (key_id, at, request_id)
     ) WITHOUT ROWID`,
    `CREATE INDEX requests_by_age ON requests (at)`,
  ],
  // v2: the index by age goes; its upkeep on every insert and trim was one of the largest costs of
  // writing a batch. The request log is pruned by age key by key instead (pruneRequests).
  [`DROP INDEX requests_by_age`],
];

export const USAGE_SCHEMA_VERSION = USAGE_MIGRATIONS.length;
