// The registry's SQLite schema (docs/storage-schema.md). Bump REGISTRY_SCHEMA_VERSION with every
// change and add a migration step; a test pins the version and the tables.

export const REGISTRY_SCHEMA_VERSION = 1;

export const REGISTRY_MIGRATIONS: readonly string[][] = [
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
];
