// The base of the SQLite Durable Objects: the object's schema is its `schema.ts` list of
// migrations, brought up to date in the constructor. `meta.schema_version` says how many steps
// have run; the missing ones run in order, each in one transaction with its new version.
//
// Not under blockConcurrencyWhile, and it needs none: the SQL API is synchronous and so is the
// constructor, and the runtime delivers no request, RPC or alarm to an object before its
// constructor has returned, so nothing can see a half-migrated schema. A step that throws rolls
// back with its version (transactionSync) and fails the constructor: the object refuses every call
// until the step is fixed, rather than serving from a schema it does not know.

import { DurableObject } from 'cloudflare:workers';

/** An object's migrations: one list of SQL statements per schema version, appended only. */
export type Migrations = readonly (readonly string[])[];

/** The stored schema version: 0 for an object no step has run in. */
export function schemaVersion(storage: DurableObjectStorage): number {
  const sql = storage.sql;
  const hasMeta = sql.exec(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).toArray().length > 0;
  return hasMeta ? Number(sql.exec(`SELECT v FROM meta WHERE k = 'schema_version'`).toArray()[0]?.v ?? 0) : 0;
}

/** Runs the steps after the stored version; returns the version now stored. */
export function migrate(storage: DurableObjectStorage, migrations: Migrations): number {
  const sql = storage.sql;
  let version = schemaVersion(storage);
  for (; version < migrations.length; version++) {
    const next = version + 1;
    storage.transactionSync(() => {
      for (const statement of migrations[version] ?? []) sql.exec(statement);
      sql.exec(`CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)`);
      sql.exec(`INSERT OR REPLACE INTO meta (k, v) VALUES ('schema_version', ?)`, String(next));
    });
  }
  return version;
}

/** A SQLite Durable Object whose schema is `migrations`, brought up to date when the object starts. */
export abstract class SqliteObject extends DurableObject<Env> {
  protected readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env, migrations: Migrations) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    migrate(ctx.storage, migrations);
  }

  schemaVersion(): number {
    return schemaVersion(this.ctx.storage);
  }
}
