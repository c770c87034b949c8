// The audit log (G64): every admin change, by a non-secret actor id, without keys or hashes,
// hash-chained so that tampering is detected. And the KV outbox when KV writes fail.

import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { adminJson, createKey, createProject } from './helpers/admin';
import { ADMIN_TOKEN, gateway, newTag } from './helpers/gateway';
import { brokenKv } from './helpers/kv';
import { registry } from '../src/objects/registry/client';
import type { Registry } from '../src/objects/registry/object';
import { EdgePublisher } from '../src/objects/registry/edge-publisher';
import { actorId } from '../src/admin/auth';
import { hashKey } from '../src/core/key-hash';

interface AuditPage {
  items: { seq: number; at: string; actor: string; action: string; target: string; changes: Record<string, unknown>; hash: string }[];
  nextCursor: string | null;
  chain: { verified: boolean; entries: number; brokenAt: number | null };
}

async function allAudit(): Promise<AuditPage['items']> {
  const items: AuditPage['items'] = [];
  let cursor: string | null = null;
  do {
    const page: AuditPage = await adminJson('GET', `/audit?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

describe('audit log', () => {
  it('records every admin change with actor, action, target and changed fields — never a key or a hash', async () => {
    const projectId = await createProject('audited');
    const key = await createKey({ scopes: ['forms:read'] }, projectId);
    await adminJson('PATCH', `/keys/${key.id}`, { name: 'renamed' });
    const rotated = await adminJson<{ id: string; key: string }>('POST', `/keys/${key.id}/rotate`, { gracePeriodSeconds: 5 }, 201);
    await adminJson('POST', `/keys/${rotated.id}/revoke`);
    await gateway('http://api.example.com/forms/1', { headers: { authorization: `Bearer ${key.key}`, 'x-test-tag': newTag() } });
    const entries = (await allAudit()).filter((e) => [projectId, key.id, rotated.id].includes(e.target));
    expect(entries.map((e) => `${e.action} ${e.target === projectId ? 'project' : e.target === key.id ? 'old' : 'new'}`)).toEqual([
      'project.create project',
      'key.create old',
      'key.update old',
      'key.rotate old',
      'key.revoke new',
      'key.exposed old',
    ]);
    const admin = await actorId(ADMIN_TOKEN);
    expect(admin).toMatch(/^adm_[0-9a-f]{12}$/);
    expect(entries.filter((e) => e.action !== 'key.exposed').every((e) => e.actor === admin)).toBe(true);
    expect(entries.at(-1)).toMatchObject({ actor: 'keygate', changes: { reason: 'http', policy: 'revoke' } });
    expect(entries[2]?.changes).toEqual({ name: 'renamed' });
    expect(entries[3]?.changes).toEqual({ newKeyId: rotated.id, gracePeriodSeconds: 5 });
    const text = JSON.stringify(entries);
    for (const secret of [key.key.slice(8), rotated.key.slice(8), await hashKey(key.key), await hashKey(rotated.key), ADMIN_TOKEN])
      expect(text).not.toContain(secret);
  });

  it('verifies the chain, and detects an edited or deleted entry', async () => {
    await createProject('chain');
    const ok = await adminJson<AuditPage>('GET', '/audit?limit=1');
    expect(ok.chain).toMatchObject({ verified: true, brokenAt: null });
    expect(ok.chain.entries).toBeGreaterThan(0);
    const target = await runInDurableObject(registry(env), (_i: Registry, state) => {
      const row = state.storage.sql.exec<{ seq: number }>(`SELECT seq FROM audit ORDER BY seq DESC LIMIT 1`).one();
      state.storage.sql.exec(`UPDATE audit SET changes = '{"name":"forged"}' WHERE seq = ?`, row.seq);
      return row.seq;
    });
    const tampered = await adminJson<AuditPage>('GET', '/audit?limit=1');
    expect(tampered.chain).toMatchObject({ verified: false, brokenAt: target });
    await runInDurableObject(registry(env), (_i: Registry, state) => {
      state.storage.sql.exec(`DELETE FROM audit WHERE seq = ?`, target);
    });
    await createProject('after-deletion');
    const gap = await adminJson<AuditPage>('GET', '/audit?limit=1');
    expect(gap.chain.verified).toBe(false);
  });

  it('detects a removed last entry (the head is kept apart from the rows)', async () => {
    await createProject('tail');
    await runInDurableObject(registry(env), (_i: Registry, state) => {
      // start from a clean chain in this isolated registry, then drop its last entry
      state.storage.sql.exec(`DELETE FROM audit`);
      state.storage.sql.exec(`DELETE FROM meta WHERE k = 'audit_head'`);
      state.storage.sql.exec(`DELETE FROM sqlite_sequence WHERE name = 'audit'`);
    });
    await createProject('one');
    await createProject('two');
    expect((await adminJson<AuditPage>('GET', '/audit')).chain).toMatchObject({ verified: true, entries: 2 });
    await runInDurableObject(registry(env), (_i: Registry, state) => {
      state.storage.sql.exec(`DELETE FROM audit WHERE seq = (SELECT MAX(seq) FROM audit)`);
    });
    expect((await adminJson<AuditPage>('GET', '/audit')).chain).toMatchObject({ verified: false, entries: 1 });
  });
});

describe('KV outbox', () => {
  it('a failed KV write leaves the change in the outbox and arms an alarm; the feed already has it', async () => {
    const result = await runInDurableObject(registry(env), async (_i: Registry, state) => {
      const publisher = new EdgePublisher(state.storage.sql, state.storage, brokenKv('throw'));
      const record = {
        v: 3 as const,
        rateLimits: [],
        quota: null,
        credits: null,
        meter: 'key_outbox',
        customer: null,
        id: 'key_outbox',
        projectId: 'prj_x',
        environment: 'live' as const,
        scopes: [],
        status: 'revoked' as const,
        expiresAt: null,
        ipAllowlist: null,
      };
      await publisher.publish('f'.repeat(64), record, Date.now());
      const outbox = state.storage.sql.exec(`SELECT dirty FROM kv_outbox WHERE hash = ?`, 'f'.repeat(64)).one();
      const feed = publisher.changesSince(0, Date.now()).entries.filter((e) => e.hash === 'f'.repeat(64));
      return { dirty: outbox.dirty, alarm: await state.storage.getAlarm(), feed: feed.length };
    });
    expect(result).toMatchObject({ dirty: 1, feed: 1 });
    expect(result.alarm).not.toBeNull();
  });
});
