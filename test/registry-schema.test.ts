// Pins the storage layout of docs/storage-schema.md: a change here must bump the versions.

import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { KEY_RECORD_VERSION } from '../src/keys/record';
import { registry } from '../src/registry/client';
import type { Registry } from '../src/registry/registry-do';
import { REGISTRY_SCHEMA_VERSION } from '../src/registry/schema';
import { createKey } from './helpers/admin';
import { hashKey } from '../src/keys/hash';

describe('storage schema', () => {
  it('registry schema v3: tables and columns', async () => {
    expect(REGISTRY_SCHEMA_VERSION).toBe(3);
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
      };
    });
    expect(layout).toEqual({
      version: 3,
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

  it('KeyLimiter tables', async () => {
    const stub = env.LIMITER.get(env.LIMITER.idFromName('key_schema_probe'));
    const tables = await runInDurableObject(stub, (_i, state) => {
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
    });
    expect(tables).toEqual({ decisions: ['request_id', 'at', 'verdict'], hits: ['window', 'at'], quota_use: ['period_key', 'used'] });
  });

  it('reads v1 KV records (written before limits existed) as keys without limits', async () => {
    const { toKeyRecord } = await import('../src/keys/record');
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
