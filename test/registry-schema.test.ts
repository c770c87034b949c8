// Pins the storage layout of docs/storage-schema.md: a change here must bump the versions.

import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { KEY_RECORD_VERSION } from '../src/core/key-record';
import { registry } from '../src/objects/registry/client';
import type { Registry } from '../src/objects/registry/object';
import { REGISTRY_SCHEMA_VERSION } from '../src/objects/registry/schema';
import { createKey } from './helpers/admin';
import { hashKey } from '../src/core/key-hash';
import { LIMITER_MIGRATIONS, type KeyLimiter } from '../src/objects/limiter/object';
import { USAGE_MIGRATIONS, USAGE_SCHEMA_VERSION, type UsageShard } from '../src/objects/usage/object';
import { migrate } from '../src/objects/migrate';
import { outbox } from '../src/objects/outbox/client';
import { OUTBOX_MIGRATIONS, type WebhookOutbox } from '../src/objects/outbox/object';
import { DURABLE_OBJECTS } from '../scripts/durable-objects.mjs';
import wranglerToml from '../wrangler.toml?raw';

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

describe('storage schema', () => {
  it('registry schema v4: tables and columns', async () => {
    expect(REGISTRY_SCHEMA_VERSION).toBe(4);
    const layout = await runInDurableObject(registry(env), (instance: Registry, state) => {
      const columns = (table: string) =>
        state.storage.sql
          .exec(`PRAGMA table_info("${table}")`)
          .toArray()
          .map((c) => String(c.name));
      return {
        version: instance.schemaVersion(),
        meta: columns('meta'),
        projects: columns('projects'),
        keys: columns('keys'),
        changes: columns('changes'),
        kv_outbox: columns('kv_outbox'),
        audit: columns('audit'),
        webhook_events: columns('webhook_events'),
        expiry_notices: columns('expiry_notices'),
      };
    });
    expect(layout).toEqual({
      version: 4,
      meta: ['k', 'v'],
      projects: ['seq', 'id', 'name', 'description', 'metadata', 'created_at', 'updated_at', 'deleted_at'],
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
      ],
      changes: ['seq', 'hash', 'record', 'at'],
      kv_outbox: ['hash', 'written_at', 'dirty'],
      audit: ['seq', 'at', 'actor', 'action', 'target', 'changes', 'prev_hash', 'hash'],
      webhook_events: ['seq', 'id', 'type', 'body', 'at'],
      expiry_notices: ['key_id', 'window', 'expires_at', 'at'],
    });
  });

  it('KV record v2 at key:<sha256>: exactly the documented fields', async () => {
    expect(KEY_RECORD_VERSION).toBe(2);
    const key = await createKey({
      scopes: ['forms:read'],
      ipAllowlist: ['192.0.2.0/24'],
      metadata: { secret: 'not at the edge' },
      rateLimits: [{ name: 'burst', limit: 5, windowSeconds: 1 }],
      quota: { limit: 100, period: 'day' },
    });
    const record = await env.KEYS.get(`key:${await hashKey(key.key)}`, 'json');
    expect(record).toEqual({
      v: 2,
      id: key.id,
      projectId: key.projectId,
      environment: 'live',
      scopes: ['forms:read'],
      status: 'active',
      expiresAt: null,
      ipAllowlist: ['192.0.2.0/24'],
      rateLimits: [{ name: 'burst', limit: 5, windowSeconds: 1 }],
      quota: { limit: 100, period: 'day' },
    });
  });

  it('KeyLimiter schema v3: tables and columns', async () => {
    const stub = env.LIMITER.get(env.LIMITER.idFromName('key_schema_probe'));
    const layout = await runInDurableObject(stub, (instance: KeyLimiter, state) => ({
      version: instance.schemaVersion(),
      tables: tablesOf(state),
    }));
    expect(layout).toEqual({
      version: 3,
      tables: {
        decisions: ['request_id', 'at', 'verdict'],
        hits: ['window', 'at', 'lease_id'],
        leases: ['id', 'holder', 'units', 'period_key', 'expires_at'],
        meta: ['k', 'v'],
        quota_notices: ['period_key', 'kind', 'at'],
        quota_use: ['period_key', 'used'],
        webhook_events: ['seq', 'id', 'type', 'body', 'at'],
      },
    });
  });

  it('KeyLimiter objects from before schema versions are migrated, keeping their counts', async () => {
    const stub = env.LIMITER.get(env.LIMITER.idFromName(`key_legacy_${Date.now()}`));
    const after = await runInDurableObject(stub, (_instance: KeyLimiter, state) => {
      // Rebuild the pre-version layout (tables of v1, no meta), as an object deployed before v2 has.
      const sql = state.storage.sql;
      for (const t of ['meta', 'leases', 'hits', 'quota_use', 'decisions', 'quota_notices', 'webhook_events'])
        sql.exec(`DROP TABLE IF EXISTS ${t}`);
      sql.exec(`CREATE TABLE hits (window TEXT NOT NULL, at INTEGER NOT NULL)`);
      sql.exec(`CREATE TABLE quota_use (period_key TEXT PRIMARY KEY, used INTEGER NOT NULL)`);
      sql.exec(`CREATE TABLE decisions (request_id TEXT PRIMARY KEY, at INTEGER NOT NULL, verdict TEXT NOT NULL)`);
      sql.exec(`INSERT INTO quota_use VALUES ('2026-11', 41)`);
      const version = migrate(state.storage, LIMITER_MIGRATIONS);
      return { version, used: sql.exec(`SELECT used FROM quota_use`).one().used, hits: tablesOf(state).hits };
    });
    expect(after).toEqual({ version: 3, used: 41, hits: ['window', 'at', 'lease_id'] });
  });

  it('UsageShard schema v2: tables, columns and indexes', async () => {
    expect(USAGE_SCHEMA_VERSION).toBe(2);
    const stub = env.USAGE.get(env.USAGE.idFromName('usage-schema-probe'));
    const layout = await runInDurableObject(stub, (instance: UsageShard, state) => ({
      version: instance.schemaVersion(),
      tables: tablesOf(state),
      indexes: indexesOf(state),
    }));
    const counters = ['bucket', 'key_id', 'project_id', 'route', 'status_class', 'outcome', 'count'];
    expect(layout).toEqual({
      version: 2,
      indexes: [
        'usage_day_by_key',
        'usage_day_by_project',
        'usage_hour_by_key',
        'usage_hour_by_project',
        'usage_minute_by_key',
        'usage_minute_by_project',
      ],
      tables: {
        flushes: ['id', 'at'],
        meta: ['k', 'v'],
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
    });
  });

  it('a UsageShard of schema v1 is migrated to v2 (no index by age on the request log), keeping its rows', async () => {
    const stub = env.USAGE.get(env.USAGE.idFromName(`usage-legacy-${Date.now()}`));
    const after = await runInDurableObject(stub, (_instance: UsageShard, state) => {
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

  it('WebhookOutbox schema v1: tables and columns', async () => {
    const layout = await runInDurableObject(outbox(env), (instance: WebhookOutbox, state) => ({
      version: instance.schemaVersion(),
      tables: tablesOf(state),
    }));
    expect(OUTBOX_MIGRATIONS).toHaveLength(1);
    expect(layout).toEqual({
      version: 1,
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
        meta: ['k', 'v'],
      },
    });
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
  });

  it('reads v1 KV records (written before limits existed) as keys without limits', async () => {
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
    expect(toKeyRecord(v1)).toEqual({ ...v1, v: 2, rateLimits: [], quota: null });
    expect(() => toKeyRecord({ ...v1, v: 3 })).toThrow(/unknown version/);
    expect(() => toKeyRecord({ ...v1, v: 2, rateLimits: [{ name: 'x', limit: 0, windowSeconds: 1 }], quota: null })).toThrow(/rateLimits/);
  });
});
