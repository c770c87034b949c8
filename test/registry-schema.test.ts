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
  it('registry schema v2: tables and columns', async () => {
    expect(REGISTRY_SCHEMA_VERSION).toBe(2);
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
      version: 2,
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
      ],
      changes: ['seq', 'hash', 'record', 'at'],
      kv_outbox: ['hash', 'written_at', 'dirty'],
      audit: ['seq', 'at', 'actor', 'action', 'target', 'changes', 'prev_hash', 'hash'],
    });
  });

  it('KV record v1 at key:<sha256>: exactly the documented fields', async () => {
    expect(KEY_RECORD_VERSION).toBe(1);
    const key = await createKey({ scopes: ['forms:read'], ipAllowlist: ['192.0.2.0/24'], metadata: { secret: 'not at the edge' } });
    const record = await env.KEYS.get(`key:${await hashKey(key.key)}`, 'json');
    expect(record).toEqual({
      v: 1,
      id: key.id,
      projectId: key.projectId,
      environment: 'live',
      scopes: ['forms:read'],
      status: 'active',
      expiresAt: null,
      ipAllowlist: ['192.0.2.0/24'],
    });
  });
});
