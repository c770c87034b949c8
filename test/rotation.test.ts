// Only an active key that was never rotated can be rotated. Concurrent rotations
// of one key make exactly one successor; every other answer is 409 problem+json saying why.

import { describe, expect, it } from 'vitest';
import { adminCall, adminJson, createKey } from './helpers/admin';
import { expectProblem, gateway, newTag, withKey } from './helpers/gateway';

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
    const expiring = await createKey({ expiresAt: new Date(Date.now() + 1000).toISOString() });
    await new Promise((r) => setTimeout(r, 1100));
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
