// Only an active key that was never rotated can be rotated. Concurrent rotations
// of one key make exactly one successor; every other answer is 409 problem+json saying why.

import { describe, expect, it } from 'vitest';
import { adminCall, adminJson, createKey } from './helpers/admin';
import { expectProblem, gateway, newTag, originCalls, withKey } from './helpers/gateway';

interface KeyView {
  id: string;
  key?: string;
  status: string;
  rotatedFrom: string | null;
  rotatedTo: string | null;
  expiresAt: string | null;
}

const rotate = (id: string, gracePeriodSeconds = 60) => adminCall('POST', `/keys/${id}/rotate`, { gracePeriodSeconds });

async function expectNotRotatable(res: Response, detail: RegExp): Promise<void> {
  const problem = await expectProblem(res, 'conflict', 409);
  expect(problem.detail).toMatch(detail);
}

describe('rotation of keys that are not active', () => {
  it('8 concurrent rotations of one key: exactly one 201, seven 409, one successor', async () => {
    const old = await createKey();
    const answers = await Promise.all(Array.from({ length: 8 }, () => rotate(old.id)));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(7);
    const winner = (await (answers.find((r) => r.status === 201) as Response).json()) as KeyView;
    for (const res of answers.filter((r) => r.status === 409)) await expectNotRotatable(res, /already rotated/);
    const listed = await adminJson<{ items: KeyView[] }>('GET', `/projects/${old.projectId}/keys?limit=100`);
    expect(listed.items.filter((k) => k.rotatedFrom === old.id).map((k) => k.id)).toEqual([winner.id]);
    expect(listed.items).toHaveLength(2);
    expect(await adminJson('GET', `/keys/${old.id}`)).toMatchObject({ rotatedTo: winner.id, status: 'active' });
    // Of the eight plaintexts minted, only the winner's works.
    expect((await gateway('/forms/1', withKey(winner.key as string, newTag()))).status).toBe(200);
  });

  it('a rotated key cannot be rotated again: 409, and rotatedTo and its expiry stay as they were', async () => {
    const old = await createKey();
    const next = await adminJson<KeyView>('POST', `/keys/${old.id}/rotate`, { gracePeriodSeconds: 60 }, 201);
    const before = await adminJson<KeyView>('GET', `/keys/${old.id}`);
    await expectNotRotatable(await rotate(old.id, 600), /already rotated.*successor/);
    expect(await adminJson('GET', `/keys/${old.id}`)).toEqual(before);
    expect(before).toMatchObject({ rotatedTo: next.id });
    // The successor itself is active and can be rotated.
    expect((await rotate(next.id)).status).toBe(201);
  });

  it('an expired key and a disabled key cannot be rotated (409); enabled again, it can', async () => {
    // 3 s ahead: an admin call on a loaded machine can take more than 1 s, and a time already past is a 400.
    const expiresAt = Date.now() + 3000;
    const expiring = await createKey({ expiresAt: new Date(expiresAt).toISOString() });
    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt + 100 - Date.now())));
    await expectNotRotatable(await rotate(expiring.id), /expired/);
    const listed = await adminJson<{ items: KeyView[] }>('GET', `/projects/${expiring.projectId}/keys`);
    expect(listed.items.map((k) => k.id)).toEqual([expiring.id]);

    const disabled = await createKey();
    await adminJson('PATCH', `/keys/${disabled.id}`, { enabled: false });
    await expectNotRotatable(await rotate(disabled.id), /disabled/);
    await adminJson('PATCH', `/keys/${disabled.id}`, { enabled: true });
    expect((await rotate(disabled.id)).status).toBe(201);
  });

  it('a key rotated with grace 0 has expired and cannot be rotated again', async () => {
    const old = await createKey();
    expect((await rotate(old.id, 0)).status).toBe(201);
    await expectNotRotatable(await rotate(old.id), /already rotated/);
  });
});

describe('rotation keeps what was spent (issue 16, point 5)', () => {
  it("the successor shares its predecessor's counters and balance: together, in the grace period, they spend one key's limit exactly", async () => {
    const old = await createKey({ quota: { limit: 60, period: 'day' }, credits: { initial: 50 } });
    const tag = newTag();
    for (let i = 0; i < 10; i++) expect((await gateway('/forms/1', withKey(old.key, tag))).status).toBe(200);
    const created = (await (await rotate(old.id, 600)).json()) as KeyView & { quota: { remaining: number }; credits: { balance: number } };
    // Not "fresh counters": the new key starts where the old one is.
    expect(created.quota).toMatchObject({ limit: 60, remaining: 50 });
    expect(created.credits).toMatchObject({ initial: 50, balance: 40 });
    // 200 parallel calls, half with each key, while both are valid: exactly the 40 credits left.
    const statuses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        gateway('/forms/1', withKey(i % 2 ? old.key : (created.key as string), tag)).then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(40);
    expect(await originCalls(tag)).toHaveLength(50);
    expect(await adminJson('GET', `/keys/${created.id}`)).toMatchObject({ quota: { remaining: 10 }, credits: { balance: 0 } });
    expect(await adminJson('GET', `/keys/${old.id}`)).toMatchObject({ quota: { remaining: 10 }, credits: { balance: 0 } });
    // A second rotation stays on the same counters.
    const again = (await (await rotate(created.id, 0)).json()) as { quota: { remaining: number } };
    expect(again.quota.remaining).toBe(10);
  });

  it('a rotated rate-limited key: old and new share one window', async () => {
    const old = await createKey({ rateLimits: [{ name: 'minute', limit: 3, windowSeconds: 60 }] });
    const tag = newTag();
    expect((await gateway('/forms/1', withKey(old.key, tag))).status).toBe(200);
    expect((await gateway('/forms/1', withKey(old.key, tag))).status).toBe(200);
    const created = (await (await rotate(old.id, 600)).json()) as KeyView;
    expect((await gateway('/forms/1', withKey(created.key as string, tag))).status).toBe(200);
    const refusedTag = newTag();
    await expectProblem(await gateway('/forms/1', withKey(created.key as string, refusedTag)), 'rate-limited', 429);
    await expectProblem(await gateway('/forms/1', withKey(old.key, refusedTag)), 'rate-limited', 429);
    expect(await originCalls(refusedTag)).toEqual([]);
  });
});
