// Pins the storage layout of docs/storage-schema.md for all five Durable Objects: each object's
// version is its number of migration steps, the text of every step deployed objects have run is
// unchanged (a step is appended, never edited), a fresh object has exactly the documented tables and
// indexes, and wrangler.toml declares exactly the exported classes. Also the KV record's version.

import { env, runInDurableObject } from 'cloudflare:test';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as entry from '../src/index';
import { KEY_RECORD_VERSION } from '../src/core/key-record';
import { hashKey } from '../src/core/key-hash';
import { migrate, SqliteObject, type Migrations } from '../src/objects/sqlite-object';
import { registry } from '../src/objects/registry/client';
import { REGISTRY_MIGRATIONS, REGISTRY_SCHEMA_VERSION } from '../src/objects/registry/schema';
import { FEED_REPLICA_MIGRATIONS, FEED_REPLICA_SCHEMA_VERSION } from '../src/objects/feed-replica/schema';
import { LIMITER_MIGRATIONS, LIMITER_SCHEMA_VERSION } from '../src/objects/limiter/schema';
import { USAGE_MIGRATIONS, USAGE_SCHEMA_VERSION } from '../src/objects/usage/schema';
import { outbox } from '../src/objects/outbox/client';
import { OUTBOX_MIGRATIONS, OUTBOX_SCHEMA_VERSION } from '../src/objects/outbox/schema';
import { createKey } from './helpers/admin';
import { DURABLE_OBJECTS } from '../scripts/durable-objects.mjs';
import wranglerToml from '../wrangler.toml?raw';
import storageSchemaDoc from '../docs/storage-schema.md?raw';

/** Every table of a Durable Object's SQLite (not the runtime's own) with its columns. */
function tablesOf(state: DurableObjectState): Record<string, string[]> {
  const names = state.storage.sql
    .exec(`SELECT name FROM sqlite_master WHERE type = 'table'`)
    .toArray()
    .map((r) => String(r.name))
    .filter((n) => !n.startsWith('_cf_') && !n.startsWith('sqlite_'));
  return Object.fromEntries(
    names.sort().map((n) => [
      n,
      state.storage.sql
        .exec(`PRAGMA table_info("${n}")`)
        .toArray()
        .map((c) => String(c.name)),
    ]),
  );
}

/** The names of a Durable Object's own indexes (not the automatic ones of primary keys). */
function indexesOf(state: DurableObjectState): string[] {
  return state.storage.sql
    .exec(`SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL`)
    .toArray()
    .map((r) => String(r.name))
    .sort();
}

/** sha256 of each step's statements, exactly as written (whitespace included). */
function stepHashes(migrations: Migrations): string[] {
  return migrations.map((step) => createHash('sha256').update(JSON.stringify(step)).digest('hex'));
}

const counters = ['bucket', 'key_id', 'project_id', 'route', 'status_class', 'outcome', 'count'];
const webhookEvents = ['seq', 'id', 'type', 'body', 'at'];
const meta = ['k', 'v'];

interface Pinned {
  className: string;
  migrations: Migrations;
  version: number;
  /** The SQLite version each object of this class ends up with. */
  expectedVersion: number;
  /**
   * The hash of every step as deployed. Appending a step adds its hash here; changing an existing
   * one is never the fix — deployed objects ran the old text and will not run it again.
   */
  steps: string[];
  stub: () => DurableObjectStub<SqliteObject>;
  tables: Record<string, string[]>;
  indexes: string[];
}

const PINNED: Pinned[] = [
  {
    className: 'Registry',
    migrations: REGISTRY_MIGRATIONS,
    version: REGISTRY_SCHEMA_VERSION,
    expectedVersion: 6,
    steps: [
      '2739d231c95b8b4581be5b8018dfdd7ebd7919394093cf2ee60cd59101f53a61',
      '0f3da6d9670518f7aa8e7b0bfe210e14c6f9f2af5257634993d28a0e344019d0',
      'aafbe11cc6ba126950f4f56101e968426aa82701eed5a28b49a5e4c130886485',
      'b4085ba124444db402b42b4126e61075d7f8d3efed788fbdd2d09552d61f8c36',
      '9eeffb434238a4448cb4bca71b1e854c5a10aa32f3dc33ce52a89da5cf1dea46',
      'fd193fbfdbba3dc68e935cc926d0fc08eb35a580dd2144614a47d315353b87ab',
    ],
    stub: () => registry(env),
    tables: {
      audit: ['seq', 'at', 'actor', 'action', 'target', 'changes', 'prev_hash', 'hash'],
      changes: ['seq', 'hash', 'record', 'at'],
      customers: [
        'seq',
        'id',
        'project_id',
        'external_id',
        'name',
        'metadata',
        'plan_id',
        'rate_limits',
        'quota',
        'credits',
        'created_at',
        'updated_at',
        'deleted_at',
      ],
      expiry_notices: ['key_id', 'window', 'expires_at', 'at'],
      keys: [
        'seq',
        'id',
        'project_id',
        'hash',
        'start',
        'name',
        'environment',
        'scopes',
        'enabled',
        'revoked_at',
        'exposed_at',
        'exposed_reason',
        'expires_at',
        'ip_allowlist',
        'metadata',
        'created_at',
        'updated_at',
        'last_used_at',
        'rotated_from',
        'rotated_to',
        'rate_limits',
        'quota',
        'customer_id',
        'plan_id',
        'credits',
        'meter',
      ],
      kv_outbox: ['hash', 'written_at', 'dirty'],
      meta,
      plans: ['seq', 'id', 'project_id', 'name', 'scopes', 'rate_limits', 'quota', 'credits', 'created_at', 'updated_at', 'deleted_at'],
      projects: ['seq', 'id', 'name', 'description', 'metadata', 'created_at', 'updated_at', 'deleted_at'],
      verify_tokens: ['seq', 'id', 'project_id', 'hash', 'start', 'name', 'created_at', 'revoked_at'],
      webhook_events: webhookEvents,
    },
    indexes: [
      'customers_by_external_id',
      'customers_by_plan',
      'customers_by_project',
      'keys_by_customer',
      'keys_by_plan',
      'keys_by_project',
      'plans_by_project',
      'verify_tokens_by_project',
    ],
  },
  {
    className: 'FeedReplica',
    migrations: FEED_REPLICA_MIGRATIONS,
    version: FEED_REPLICA_SCHEMA_VERSION,
    expectedVersion: 0,
    steps: [],
    stub: () => env.FEED.get(env.FEED.idFromName(`feed:schema-probe-${Date.now()}`)),
    tables: {},
    indexes: [],
  },
  {
    className: 'KeyLimiter',
    migrations: LIMITER_MIGRATIONS,
    version: LIMITER_SCHEMA_VERSION,
    expectedVersion: 4,
    steps: [
      '9d667b6d318f117372ae72fee6e6cc6a2e284a02c2b13459113d426f94bc6505',
      '18678546dd8d2fa85afce77f3221a2074faa7a309bcd1a624d1c8a0b54aa47f0',
      '6cb49a8b0026e03761546cacb5468f515a4532d8c5911c28a78bb1b2ca79d581',
      'afcf9943ed5cf0deee1a10fdf52056f3d7800726cfc5125776a2f5363cff556f',
    ],
    stub: () => env.LIMITER.get(env.LIMITER.idFromName(`key_schema_probe_${Date.now()}`)),
    tables: {
      credits: ['id', 'balance', 'refill_key'],
      decisions: ['request_id', 'at', 'verdict'],
      hits: ['window', 'at', 'lease_id'],
      leases: ['id', 'holder', 'units', 'period_key', 'expires_at', 'cost', 'credit_key'],
      meta,
      quota_notices: ['period_key', 'kind', 'at'],
      quota_use: ['period_key', 'used'],
      webhook_events: webhookEvents,
    },
    indexes: ['hits_by_lease', 'hits_by_window'],
  },
  {
    className: 'UsageShard',
    migrations: USAGE_MIGRATIONS,
    version: USAGE_SCHEMA_VERSION,
    expectedVersion: 2,
    steps: [
      '506a8ab9e8a987310ccfd123d4ecf8336750d432fb4c9360b70fdc2d8c2aa316',
      '08fba428008e35485e8e868275c41cff9a3a726c9830d7b581abd371eb0ab130',
    ],
    stub: () => env.USAGE.get(env.USAGE.idFromName(`usage-schema-probe-${Date.now()}`)),
    tables: {
      flushes: ['id', 'at'],
      meta,
      requests: [
        'at',
        'request_id',
        'key_id',
        'method',
        'path',
        'route',
        'status',
        'latency_ms',
        'client_ip',
        'country',
        'user_agent',
        'outcome',
      ],
      usage_day: counters,
      usage_hour: counters,
      usage_minute: counters,
    },
    indexes: [
      'usage_day_by_key',
      'usage_day_by_project',
      'usage_hour_by_key',
      'usage_hour_by_project',
      'usage_minute_by_key',
      'usage_minute_by_project',
    ],
  },
  {
    className: 'WebhookOutbox',
    migrations: OUTBOX_MIGRATIONS,
    version: OUTBOX_SCHEMA_VERSION,
    expectedVersion: 1,
    steps: ['34f9f79f5e4901e6846f9efb4781e6474afb1c0073f9f69333511e92d12d63b2'],
    stub: () => outbox(env),
    tables: {
      deliveries: [
        'seq',
        'id',
        'type',
        'body',
        'created_at',
        'status',
        'attempts',
        'next_attempt_at',
        'last_attempt_at',
        'last_status',
        'last_error',
        'delivered_at',
      ],
      meta,
    },
    indexes: ['deliveries_due'],
  },
];

describe('Durable Object schemas', () => {
  describe.each(PINNED)('$className', (pinned) => {
    it(`schema version ${pinned.expectedVersion} is the number of its migration steps`, () => {
      expect(pinned.version).toBe(pinned.migrations.length);
      expect(pinned.version).toBe(pinned.expectedVersion);
    });

    it('every migration step is the text deployed objects have run', () => {
      expect(stepHashes(pinned.migrations)).toEqual(pinned.steps);
    });

    it('a fresh object, migrated: its version, tables, columns and indexes', async () => {
      const layout = await runInDurableObject(pinned.stub(), (instance: SqliteObject, state) => ({
        version: instance.schemaVersion(),
        tables: tablesOf(state),
        indexes: indexesOf(state),
      }));
      expect(layout).toEqual({ version: pinned.expectedVersion, tables: pinned.tables, indexes: pinned.indexes });
    });

    it('docs/storage-schema.md lists its version and every table', () => {
      const row = storageSchemaDoc.split('\n').find((line) => line.startsWith(`| \`${pinned.className}\``));
      const cells = (row ?? '').split('|').map((c) => c.trim());
      expect(cells[4]).toBe(String(pinned.expectedVersion));
      const listed = [...(cells[5] ?? '').matchAll(/`(\w+)`/g)].map((m) => m[1]).sort();
      expect(listed).toEqual(Object.keys(pinned.tables).sort());
    });
  });

  it('the step hashes see a change of whitespace alone (the text is pinned, not its meaning)', () => {
    const step = REGISTRY_MIGRATIONS[2] ?? [];
    expect(stepHashes([step.map((s) => s.replace('ADD COLUMN', 'ADD  COLUMN'))])).not.toEqual(stepHashes([step]));
  });

  it('KeyLimiter objects from before schema versions are migrated, keeping their counts', async () => {
    const stub = env.LIMITER.get(env.LIMITER.idFromName(`key_legacy_${Date.now()}`));
    const after = await runInDurableObject(stub, (_instance: SqliteObject, state) => {
      // Rebuild the pre-version layout (tables of v1, no meta), as an object deployed before v2 has.
      const sql = state.storage.sql;
      for (const t of ['meta', 'leases', 'hits', 'quota_use', 'decisions', 'quota_notices', 'webhook_events', 'credits'])
        sql.exec(`DROP TABLE IF EXISTS ${t}`);
      sql.exec(`CREATE TABLE hits (window TEXT NOT NULL, at INTEGER NOT NULL)`);
      sql.exec(`CREATE TABLE quota_use (period_key TEXT PRIMARY KEY, used INTEGER NOT NULL)`);
      sql.exec(`CREATE TABLE decisions (request_id TEXT PRIMARY KEY, at INTEGER NOT NULL, verdict TEXT NOT NULL)`);
      sql.exec(`INSERT INTO quota_use VALUES ('2026-11', 41)`);
      const version = migrate(state.storage, LIMITER_MIGRATIONS);
      return { version, used: sql.exec(`SELECT used FROM quota_use`).one().used, hits: tablesOf(state).hits };
    });
    expect(after).toEqual({ version: 4, used: 41, hits: ['window', 'at', 'lease_id'] });
  });

  it('a Registry of schema v4 is migrated to v5 (plans, customers), keeping its keys: no customer or plan, metered by their own id', async () => {
    const stub = env.REGISTRY.get(env.REGISTRY.idFromName(`registry-legacy-${Date.now()}`));
    const after = await runInDurableObject(stub, (_instance: SqliteObject, state) => {
      const sql = state.storage.sql;
      for (const t of [
        'meta',
        'plans',
        'customers',
        'keys',
        'projects',
        'changes',
        'kv_outbox',
        'audit',
        'webhook_events',
        'expiry_notices',
      ])
        sql.exec(`DROP TABLE IF EXISTS ${t}`);
      expect(migrate(state.storage, REGISTRY_MIGRATIONS.slice(0, 4))).toBe(4);
      sql.exec(`INSERT INTO projects (id, name, metadata, created_at, updated_at) VALUES ('prj_old', 'old', '{}', 1, 1)`);
      sql.exec(
        `INSERT INTO keys (id, project_id, hash, start, name, environment, scopes, enabled, metadata, created_at, updated_at, quota)
         VALUES ('key_old', 'prj_old', 'h', 's', 'n', 'live', '[]', 1, '{}', 1, 1, '{"limit":5,"period":"day"}')`,
      );
      const version = migrate(state.storage, REGISTRY_MIGRATIONS.slice(0, 5));
      const row = sql.exec(`SELECT id, quota, customer_id, plan_id, credits, meter FROM keys`).one();
      return { version, row, tables: Object.keys(tablesOf(state)) };
    });
    expect(after.version).toBe(5);
    expect(after.row).toEqual({
      id: 'key_old',
      quota: '{"limit":5,"period":"day"}',
      customer_id: null,
      plan_id: null,
      credits: null,
      meter: null,
    });
    expect(after.tables).toEqual(expect.arrayContaining(['plans', 'customers']));
    const { resolveKey } = await import('../src/objects/registry/holders');
    const resolved = resolveKey(
      { id: 'key_old', scopes: '[]', meter: null, rate_limits: '[]', quota: '{"limit":5,"period":"day"}', credits: null },
      undefined,
      undefined,
    );
    expect(resolved).toMatchObject({ meter: 'key_old', customer: null, quota: { limit: 5, period: 'day' }, credits: null });
  });

  it('a KeyLimiter of schema v3 is migrated to v4 (credits), keeping its leases and quota use', async () => {
    const stub = env.LIMITER.get(env.LIMITER.idFromName(`key_v3_${Date.now()}`));
    const after = await runInDurableObject(stub, (_instance: SqliteObject, state) => {
      const sql = state.storage.sql;
      for (const t of ['meta', 'leases', 'hits', 'quota_use', 'decisions', 'quota_notices', 'webhook_events', 'credits'])
        sql.exec(`DROP TABLE IF EXISTS ${t}`);
      expect(migrate(state.storage, LIMITER_MIGRATIONS.slice(0, 3))).toBe(3);
      sql.exec(`INSERT INTO quota_use VALUES ('2026-12', 7)`);
      sql.exec(`INSERT INTO leases (id, holder, units, period_key, expires_at) VALUES ('l1', 'iso', 4, '2026-12', 1)`);
      const version = migrate(state.storage, LIMITER_MIGRATIONS);
      return {
        version,
        used: sql.exec(`SELECT used FROM quota_use`).one().used,
        lease: sql.exec(`SELECT units, cost, credit_key FROM leases`).one(),
      };
    });
    expect(after).toEqual({ version: 4, used: 7, lease: { units: 4, cost: 0, credit_key: null } });
  });

  it('a UsageShard of schema v1 is migrated to v2 (no index by age on the request log), keeping its rows', async () => {
    const stub = env.USAGE.get(env.USAGE.idFromName(`usage-legacy-${Date.now()}`));
    const after = await runInDurableObject(stub, (_instance: SqliteObject, state) => {
      const sql = state.storage.sql;
      for (const t of ['meta', 'flushes', 'usage_minute', 'usage_hour', 'usage_day', 'requests']) sql.exec(`DROP TABLE IF EXISTS ${t}`);
      expect(migrate(state.storage, USAGE_MIGRATIONS.slice(0, 1))).toBe(1);
      expect(indexesOf(state)).toContain('requests_by_age');
      sql.exec(`INSERT INTO requests VALUES (1, 'r', 'key_l', 'GET', '/', '', 200, 1, '', '', '', 'allowed')`);
      const version = migrate(state.storage, USAGE_MIGRATIONS);
      return { version, indexes: indexesOf(state), rows: sql.exec(`SELECT COUNT(*) AS n FROM requests`).one().n };
    });
    expect(after.version).toBe(2);
    expect(after.indexes).not.toContain('requests_by_age');
    expect(after.rows).toBe(1);
  });

  it('wrangler.toml declares exactly the exported Durable Object classes, each SQLite-backed once', () => {
    const exported = Object.entries(entry)
      .filter(([, value]) => typeof value === 'function' && value.prototype instanceof SqliteObject)
      .map(([name]) => name)
      .sort();
    const created = [...wranglerToml.matchAll(/^new_sqlite_classes = \[([^\]]*)\]/gm)].flatMap((m) =>
      [...(m[1] ?? '').matchAll(/"(\w+)"/g)].map((c) => c[1]),
    );
    expect(exported).toEqual(PINNED.map((p) => p.className).sort());
    expect([...created].sort()).toEqual(exported);
    expect(new Set(created).size).toBe(created.length);
    expect(wranglerToml).not.toMatch(/^(new_classes|deleted_classes|renamed_classes)/m);
  });

  it('the Durable Objects miniflare is given outside vitest are wrangler.toml’s', () => {
    const declared = Object.fromEntries(
      [...wranglerToml.matchAll(/\[\[durable_objects\.bindings\]\]\s*name = "(\w+)"\s*class_name = "(\w+)"/g)].map((m) => [
        m[1],
        { className: m[2], useSQLite: true },
      ]),
    );
    expect(Object.keys(declared).length).toBeGreaterThanOrEqual(4);
    expect(DURABLE_OBJECTS).toEqual(declared);
    expect(Object.values(declared).map((d) => (d as { className: string }).className)).toEqual(PINNED.map((p) => p.className));
  });
});

describe('KV record', () => {
  it('KV record v3 at key:<sha256>: exactly the documented fields', async () => {
    expect(KEY_RECORD_VERSION).toBe(3);
    const key = await createKey({
      scopes: ['forms:read'],
      ipAllowlist: ['192.0.2.0/24'],
      metadata: { secret: 'not at the edge' },
      rateLimits: [{ name: 'burst', limit: 5, windowSeconds: 1 }],
      quota: { limit: 100, period: 'day' },
    });
    const record = await env.KEYS.get(`key:${await hashKey(key.key)}`, 'json');
    expect(record).toEqual({
      v: 3,
      id: key.id,
      projectId: key.projectId,
      environment: 'live',
      scopes: ['forms:read'],
      status: 'active',
      expiresAt: null,
      ipAllowlist: ['192.0.2.0/24'],
      rateLimits: [{ name: 'burst', limit: 5, windowSeconds: 1 }],
      quota: { limit: 100, period: 'day' },
      credits: null,
      meter: key.id,
      customer: null,
    });
  });

  it('reads v1 and v2 KV records (before limits, before credits) as keys metered by their own id, without credits or customer', async () => {
    const { toKeyRecord } = await import('../src/core/key-record');
    const v1 = {
      v: 1,
      id: 'key_old',
      projectId: 'prj_old',
      environment: 'live',
      scopes: ['a:b'],
      status: 'active',
      expiresAt: null,
      ipAllowlist: null,
    };
    const older = { credits: null, meter: 'key_old', customer: null };
    expect(toKeyRecord(v1)).toEqual({ ...v1, v: 3, rateLimits: [], quota: null, ...older });
    expect(toKeyRecord({ ...v1, v: 2, rateLimits: [], quota: null })).toEqual({ ...v1, v: 3, rateLimits: [], quota: null, ...older });
    expect(() => toKeyRecord({ ...v1, v: 4 })).toThrow(/unknown version/);
    expect(() => toKeyRecord({ ...v1, v: 3, rateLimits: [], quota: null, credits: null, customer: null, meter: '' })).toThrow(/meter/);
    expect(() => toKeyRecord({ ...v1, v: 2, rateLimits: [{ name: 'x', limit: 0, windowSeconds: 1 }], quota: null })).toThrow(/rateLimits/);
  });
});
