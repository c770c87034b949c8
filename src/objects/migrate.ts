import { DurableObject } from 'cloudflare:workers';

// Schema migrations for the SQLite Durable Objects: `meta.schema_version` says how many steps of
// `migrations` have run; the missing ones run in order, each in one transaction with its version.

/** Runs the steps after the stored version; returns the version now stored. */
export function migrate(storage: DurableObjectStorage, migrations: readonly (readonly string[])[]): number {
  const sql = storage.sql;
  const hasMeta = sql.exec(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).toArray().length > 0;
  let version = hasMeta ? Number(sql.exec(`SELECT v FROM meta WHERE k = 'schema_version'`).toArray()[0]?.v ?? 0) : 0;
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

/** The stored schema version. */
export function schemaVersion(storage: DurableObjectStorage): number {
  return Number(storage.sql.exec(`SELECT v FROM meta WHERE k = 'schema_version'`).one().v);
}

/** A SQLite Durable Object whose schema is `migrations`, brought up to date when the object starts. */
export abstract class SqliteObject extends DurableObject<Env> {
  protected readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env, migrations: readonly (readonly string[])[]) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    migrate(ctx.storage, migrations);
  }

  schemaVersion(): number {
    return schemaVersion(this.ctx.storage);
  }
}
