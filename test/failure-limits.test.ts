// The failed-authentication limits limit failures, not an address's valid calls.
// Past the limit an address keeps the credentials it has proven (used successfully from it) and is
// refused 429 for any other — before any lookup or comparison, so a flood costs nothing and a
// blocked address learns nothing about the credentials it tries.

import { describe, expect, it } from 'vitest';
import { storageCounters } from '../src/bench-counters';
import { generateKey } from '../src/core/key-format';
import { adminCall, adminJson, createKey } from './helpers/admin';
import { ADMIN_TOKEN, expectProblem, gateway, newTag, originCalls, withKey } from './helpers/gateway';

let n = 0;
/** A fresh address for one test (TEST-NET-2), so counts never spill between tests. */
const address = () => ({ 'cf-connecting-ip': `198.51.100.${200 + (++n % 50)}` });

describe('failed key checks (AUTH_FAILURE_LIMIT, default 100)', () => {
  it('after 100 bad keys from an address, the valid key it uses still passes; bad keys get 429 with no lookup', async () => {
    const good = await createKey();
    const revoked = await createKey();
    await adminJson('POST', `/keys/${revoked.id}/revoke`);
    const from = address();
    const tag = newTag();
    expect((await gateway('/forms/1', withKey(good.key, tag, from))).status).toBe(200);
    for (let i = 0; i < 100; i++)
      await expectProblem(await gateway('/forms/1', withKey(generateKey('kg', 'live'), tag, from)), 'invalid-api-key', 401);

    const reads = storageCounters.kvReads;
    const tries = {
      unknown: generateKey('kg', 'live'),
      revoked: revoked.key,
      garbage: 'kg_live_garbage',
      // The last character changed to one it is not (a key ending in x would stay itself).
      typo: `${good.key.slice(0, -1)}${good.key.endsWith('x') ? 'y' : 'x'}`,
    };
    for (const [what, key] of Object.entries(tries)) {
      const res = await gateway('/forms/1', withKey(key, tag, from));
      expect(Number(res.headers.get('retry-after')), `${what}: ${res.status} ${await res.clone().text()}`).toBeGreaterThanOrEqual(1);
      await expectProblem(res, 'too-many-failures', 429);
    }
    expect(storageCounters.kvReads - reads).toBe(0);
    for (let i = 0; i < 3; i++) expect((await gateway('/forms/1', withKey(good.key, tag, from))).status).toBe(200);
    expect(await originCalls(tag)).toHaveLength(4);
  });

  it('a proven key is still verified: revoked since, it is refused too', async () => {
    const key = await createKey();
    const from = address();
    const limit = { AUTH_FAILURE_LIMIT: '3' };
    expect((await gateway('/forms/1', withKey(key.key, newTag(), from), limit)).status).toBe(200);
    for (let i = 0; i < 3; i++) await gateway('/forms/1', withKey(generateKey('kg', 'live'), newTag(), from), limit);
    expect((await gateway('/forms/1', withKey(key.key, newTag(), from), limit)).status).toBe(200);
    await adminJson('POST', `/keys/${key.id}/revoke`);
    const tag = newTag();
    await expectProblem(await gateway('/forms/1', withKey(key.key, tag, from), limit), 'too-many-failures', 429);
    expect(await originCalls(tag)).toEqual([]);
  });

  it('a valid key new to a blocked address waits for the window (documented); from any other address it passes', async () => {
    const fresh = await createKey();
    const from = address();
    const limit = { AUTH_FAILURE_LIMIT: '3' };
    for (let i = 0; i < 3; i++) await gateway('/forms/1', withKey(generateKey('kg', 'live'), newTag(), from), limit);
    const tag = newTag();
    await expectProblem(await gateway('/forms/1', withKey(fresh.key, tag, from), limit), 'too-many-failures', 429);
    expect((await gateway('/forms/1', withKey(fresh.key, tag, address()), limit)).status).toBe(200);
    expect(await originCalls(tag)).toHaveLength(1);
  });
});

describe('wrong admin tokens (ADMIN_AUTH_FAILURE_LIMIT, default 10)', () => {
  const call = (token: string, from: Record<string, string>) =>
    gateway('/_keygate/v1/projects', { headers: { authorization: `Bearer ${token}`, ...from } });

  it('after 10 wrong tokens an address gets 429 for wrong ones, and the right token it has used still works', async () => {
    const from = address();
    expect((await call(ADMIN_TOKEN, from)).status).toBe(200);
    for (let i = 0; i < 10; i++) await expectProblem(await call(`wrong-token-${i}-0123456789abcdef`, from), 'unauthorized', 401);
    const blocked = await call('wrong-token-x-0123456789abcdef', from);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await expectProblem(blocked, 'too-many-failures', 429);
    await expectProblem(await gateway('/_keygate/v1/projects', { headers: from }), 'too-many-failures', 429);
    for (let i = 0; i < 3; i++) expect((await call(ADMIN_TOKEN, from)).status).toBe(200);
    // Other addresses are not affected.
    await expectProblem(await call('wrong-token-y-0123456789abcdef', address()), 'unauthorized', 401);
  });

  it('a token never proven from a blocked address is not compared: the right one gets the same 429 as a wrong one', async () => {
    const from = address();
    for (let i = 0; i < 10; i++) await call(`wrong-token-${i}-0123456789abcdef`, from);
    const right = await call(ADMIN_TOKEN, from);
    const wrong = await call('wrong-token-z-0123456789abcdef', from);
    await expectProblem(right, 'too-many-failures', 429);
    await expectProblem(wrong, 'too-many-failures', 429);
    expect((await adminCall('GET', '/projects')).status).toBe(200); // a fresh address
  });
});
