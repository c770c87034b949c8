// G64 and checklist 11: whatever keygate logs — refusals, exposures, faults, admin changes — never
// contains a key (or a token, or a query string); known keys are logged by id. And lastUsedAt.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { env, runDurableObjectAlarm } from 'cloudflare:test';
import { adminJson, createKey } from './helpers/admin';
import { ADMIN_TOKEN, gateway, newTag, withKey } from './helpers/gateway';
import { brokenKv } from './helpers/kv';
import { generateKey } from '../src/core/key-format';
import { usageBacklog } from '../src/edge/usage-recorder';
import { usageShard } from '../src/objects/usage/client';
import { LAST_USED_FORWARD_MS } from '../src/objects/usage/object';
import { registry } from '../src/objects/registry/client';

const lines: string[] = [];
beforeAll(() => {
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
    });
  }
});
afterAll(() => vi.restoreAllMocks());

describe('logs', () => {
  it('never contain a key, the admin token or a query string, whatever happens', async () => {
    const debug = { LOG_LEVEL: 'debug' };
    const a = await createKey();
    const b = await createKey();
    const c = await createKey();
    const unknown = generateKey('kg', 'live');
    await gateway('/forms/1?q=secret-query', withKey(a.key, newTag()), debug);
    await gateway('http://api.example.com/forms/1', withKey(b.key, newTag()), debug);
    await gateway(`/forms?api_key=${c.key}`, {}, debug);
    await gateway('/forms/1', withKey(b.key, newTag()), debug);
    await gateway('/forms/1', withKey(unknown, newTag()), debug);
    await gateway('/forms/1', withKey(unknown.slice(0, -1) + 'x', newTag()), debug);
    await gateway('/forms/1', withKey(generateKey('kg', 'test'), newTag()), { ...debug, KEYS: brokenKv('throw') });
    await adminJson('POST', `/keys/${a.id}/rotate`, { gracePeriodSeconds: 0 }, 201);
    await gateway('/forms/1', withKey(a.key, newTag()), debug);

    const text = lines.join('\n');
    expect(lines.length).toBeGreaterThan(4);
    for (const key of [a.key, b.key, c.key, unknown]) expect(text).not.toContain(key.slice(8, 30));
    expect(text).not.toContain(ADMIN_TOKEN);
    expect(text).not.toContain('secret-query');
    expect(text).toContain(`"keyId":"${b.id}"`); // the revoked key's later use, by id
    expect(text).toContain('"msg":"key exposed"');
  });
});

describe('lastUsedAt', () => {
  it('is filled from calls, in batches, and never moves backwards', async () => {
    const key = await createKey();
    expect(await adminJson('GET', `/keys/${key.id}`)).toMatchObject({ lastUsedAt: null });
    const before = Date.now();
    expect((await gateway('/forms/1', withKey(key.key, newTag()))).status).toBe(200); // usage flushed with the call here
    await runDurableObjectAlarm(usageShard(env, usageBacklog().shard)); // the shard hands it over
    const seen = (await adminJson<{ lastUsedAt: string }>('GET', `/keys/${key.id}`)).lastUsedAt;
    expect(Date.parse(seen)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(seen)).toBeLessThanOrEqual(Date.now());
    await registry(env).touchKeys({ [key.id]: 1_000 });
    expect(await adminJson('GET', `/keys/${key.id}`)).toMatchObject({ lastUsedAt: seen });
  });

  it("appears within LAST_USED_FORWARD_MS of the last call, with no call after it (the usage shard's alarm hands it over)", async () => {
    const key = await createKey();
    const refused = await createKey();
    await adminJson('POST', `/keys/${refused.id}/revoke`);
    const called = Date.now();
    expect((await gateway('/forms/1', withKey(key.key, newTag()))).status).toBe(200);
    expect((await gateway('/forms/1', withKey(refused.key, newTag()))).status).toBe(401);
    let seen: string | null = null;
    while (seen === null && Date.now() - called < LAST_USED_FORWARD_MS + 3_000) {
      await new Promise((r) => setTimeout(r, 250));
      seen = (await adminJson<{ lastUsedAt: string | null }>('GET', `/keys/${key.id}`)).lastUsedAt;
    }
    expect(seen, 'lastUsedAt was written without a later call').not.toBeNull();
    expect(Date.parse(seen as string)).toBeGreaterThanOrEqual(called);
    console.log(`lastUsedAt visible ${Date.now() - called} ms after the only call`);
    expect(await adminJson('GET', `/keys/${refused.id}`)).toMatchObject({ lastUsedAt: null }); // refused calls are not uses
  });
});
