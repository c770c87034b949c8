// Each lifecycle event, end to end: the admin API or the gateway changes a key, the receiver gets
// the signed event (created, revoked, exposed over http and in the URL, expiring 7 days and 1 day
// ahead from the cron trigger, quota.low at 90 %, quota.exhausted).

import { createExecutionContext, createScheduledController, env, runInDurableObject, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src';
import type { KeyLimiter } from '../../src/objects/limiter/object';
import { adminCall, adminJson, createKey, createProject } from '../helpers/admin';
import { gateway, newTag, withKey } from '../helpers/gateway';
import { delivered, received, runAlarms } from './helpers';
import { newSigner, sendReport } from '../helpers/github-signer';

const DAY = 86_400_000;

async function runCron(at: number): Promise<void> {
  const ctx = createExecutionContext();
  worker.scheduled(createScheduledController({ scheduledTime: at, cron: '*/15 * * * *' }), env, ctx);
  await waitOnExecutionContext(ctx);
}

/** Successful deliveries of a project as [type, keyId, extra field] triples. */
async function summary(projectId: string, n: number, field: string, limiters: string[] = []): Promise<[string, unknown, unknown][]> {
  return (await delivered(projectId, n, limiters)).map((w) => [w.type, w.data.keyId, w.data[field]]);
}

describe('webhook events', () => {
  it('key.revoked from the admin API, and key.created for a rotation', async () => {
    const projectId = await createProject('webhook revoke');
    const key = await createKey({}, projectId);
    await adminJson('POST', `/keys/${key.id}/revoke`);
    await adminJson('POST', `/keys/${key.id}/revoke`); // changes nothing: no second event
    const other = await createKey({}, projectId);
    const rotated = await adminJson<{ id: string }>('POST', `/keys/${other.id}/rotate`, { gracePeriodSeconds: 60 }, 201);
    const events = await delivered(projectId, 4);
    expect(events.map((w) => [w.type, w.data.keyId])).toEqual([
      ['key.created', key.id],
      ['key.revoked', key.id],
      ['key.created', other.id],
      ['key.created', rotated.id],
    ]);
    expect(events[1]?.data).toMatchObject({ status: 'revoked', reason: 'admin' });
    expect(events[3]?.data).toMatchObject({ rotatedFrom: other.id, status: 'active' });
    await runAlarms();
    expect(await received(projectId)).toHaveLength(4);
  });

  it('deleting a project sends key.revoked for each of its keys', async () => {
    const projectId = await createProject('webhook delete');
    const a = await createKey({}, projectId);
    const b = await createKey({}, projectId);
    expect((await adminCall('DELETE', `/projects/${projectId}`)).status).toBe(204);
    const events = await summary(projectId, 4, 'reason');
    expect(events.slice(2).sort()).toEqual(
      [
        ['key.revoked', a.id, 'project-deleted'],
        ['key.revoked', b.id, 'project-deleted'],
      ].sort(),
    );
  });

  it('key.exposed for a key sent in the URL (then key.revoked by policy) and for one sent over http', async () => {
    const projectId = await createProject('webhook exposed');
    const inUrl = await createKey({}, projectId);
    const overHttp = await createKey({}, projectId);
    expect((await gateway(`/forms?api_key=${inUrl.key}`, { headers: { 'x-test-tag': newTag() } })).status).toBe(400);
    expect((await gateway('http://api.example.com/forms/1', withKey(overHttp.key, newTag()))).status).toBe(403);
    const events = (await delivered(projectId, 6)).slice(2);
    expect(events.map((w) => [w.type, w.data.keyId, w.data.reason])).toEqual([
      ['key.exposed', inUrl.id, 'url'],
      ['key.revoked', inUrl.id, 'exposed'],
      ['key.exposed', overHttp.id, 'http'],
      ['key.revoked', overHttp.id, 'exposed'],
    ]);
    expect(events[0]?.data).toMatchObject({ policy: 'revoke', status: 'revoked' });
  });

  it('key.exposed (reason leak) and key.revoked for a key reported by GitHub secret scanning', async () => {
    const projectId = await createProject('webhook leaked');
    const key = await createKey({}, projectId);
    const res = await sendReport(await newSigner(), [
      { token: key.key, type: 'keygate_api_key', url: 'https://github.com/o/r/blob/x/.env', source: 'content' },
    ]);
    expect(res.status).toBe(200);
    expect(await summary(projectId, 3, 'reason')).toEqual([
      ['key.created', key.id, undefined],
      ['key.exposed', key.id, 'leak'],
      ['key.revoked', key.id, 'exposed'],
    ]);
  });

  it('with EXPOSED_KEY_POLICY=flag: key.exposed only, once', async () => {
    const projectId = await createProject('webhook flagged');
    const key = await createKey({}, projectId);
    for (let i = 0; i < 2; i++) {
      await gateway('http://api.example.com/forms/1', withKey(key.key, newTag()), { EXPOSED_KEY_POLICY: 'flag' });
    }
    const events = await summary(projectId, 2, 'policy');
    expect(events).toEqual([
      ['key.created', key.id, undefined],
      ['key.exposed', key.id, 'flag'],
    ]);
    await runAlarms();
    expect(await received(projectId)).toHaveLength(2);
  });

  it('key.expiring 7 days and 1 day ahead from the cron trigger, each once per expiry', async () => {
    const projectId = await createProject('webhook expiring');
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    const week = await createKey({ expiresAt: iso(now + 6 * DAY) }, projectId);
    const day = await createKey({ expiresAt: iso(now + 20 * 3_600_000) }, projectId);
    const later = await createKey({ expiresAt: iso(now + 10 * DAY) }, projectId);
    const revoked = await createKey({ expiresAt: iso(now + 2 * DAY) }, projectId);
    await adminJson('POST', `/keys/${revoked.id}/revoke`);
    await delivered(projectId, 5);

    await runCron(now);
    await runCron(now + 60_000); // a second run tells nobody again
    const first = (await summary(projectId, 7, 'window')).slice(5);
    expect(first.sort()).toEqual(
      [
        ['key.expiring', week.id, '7d'],
        ['key.expiring', day.id, '1d'],
      ].sort(),
    );

    // Four days on: `later` is within 7 days; `week` is not yet within 1 day.
    await runCron(now + 4 * DAY);
    // A changed expiry is a new one: `week` now expires within a day.
    await adminJson('PATCH', `/keys/${week.id}`, { expiresAt: iso(now + 12 * 3_600_000) });
    await runCron(now + 60_000);
    const next = (await summary(projectId, 9, 'window')).slice(7);
    expect(next).toEqual([
      ['key.expiring', later.id, '7d'],
      ['key.expiring', week.id, '1d'],
    ]);
    const expiring = (await received(projectId)).find((w) => w.type === 'key.expiring');
    expect(expiring?.data).toMatchObject({ projectId, status: 'active', expiresAt: expect.any(String) });
    await runAlarms();
    expect(await received(projectId)).toHaveLength(9);
  });

  it('quota.low when a call brings the quota to 90 %, quota.exhausted at 100 %, each once per period', async () => {
    const projectId = await createProject('webhook quota');
    const key = await createKey({ quota: { limit: 20, period: 'day' } }, projectId);
    const tag = newTag();
    let admitted = 0;
    for (let i = 0; i < 24; i++) if ((await gateway('/forms/1', withKey(key.key, tag))).status === 200) admitted++;
    expect(admitted).toBe(20);
    const events = (await delivered(projectId, 3, [key.id])).slice(1);
    expect(events.map((w) => w.type)).toEqual(['quota.low', 'quota.exhausted']);
    expect(events[0]?.data).toMatchObject({ keyId: key.id, projectId, period: 'day', limit: 20 });
    expect(events[0]?.data.used).toBeGreaterThanOrEqual(18);
    expect(events[1]?.data).toMatchObject({ used: 20, limit: 20, resetsAt: expect.any(String) });
    await runAlarms([key.id]);
    expect(await received(projectId)).toHaveLength(3);
  });

  it("customer.quota.low and customer.quota.exhausted for a customer's shared quota, spent by two keys, each once per period", async () => {
    const projectId = await createProject('webhook customer quota');
    const customer = await adminJson<{ id: string }>(
      'POST',
      `/projects/${projectId}/customers`,
      {
        name: 'c',
        externalId: `ext-${newTag()}`,
        quota: { limit: 10, period: 'day' },
      },
      201,
    );
    const a = await createKey({ customerId: customer.id }, projectId);
    const b = await createKey({ customerId: customer.id }, projectId);
    const tag = newTag();
    let admitted = 0;
    for (let i = 0; i < 14; i++) if ((await gateway('/forms/1', withKey((i % 2 ? a : b).key, tag))).status === 200) admitted++;
    expect(admitted).toBe(10);
    const events = (await delivered(projectId, 4, [customer.id])).filter((w) => w.type.startsWith('customer.'));
    expect(events.map((w) => w.type)).toEqual(['customer.quota.low', 'customer.quota.exhausted']);
    expect(events[1]?.data).toMatchObject({ customerId: customer.id, projectId, period: 'day', limit: 10, used: 10 });
    expect([a.id, b.id]).toContain(events[1]?.data.keyId);
    await runAlarms([customer.id]);
    expect((await received(projectId)).filter((w) => w.type.startsWith('customer.'))).toHaveLength(2);
  });

  it('the limiter queues quota.low at exactly the call that reaches 90 %', async () => {
    const stub = env.LIMITER.get(env.LIMITER.idFromName(`quota-notice-${newTag()}`));
    const queued = await runInDurableObject(stub, (instance: KeyLimiter, state) => {
      const now = Date.now();
      const count = () => Number(state.storage.sql.exec(`SELECT COUNT(*) AS n FROM webhook_events`).one().n);
      const check = (i: number) =>
        instance.check({
          requestId: `r${i}`,
          now,
          rateLimits: [],
          quota: { limit: 10, period: 'month' },
          key: { id: 'key_x', projectId: 'prj_x' },
        });
      const seen: number[] = [];
      for (let i = 1; i <= 11; i++) {
        check(i);
        seen.push(count());
      }
      return seen;
    });
    // 9 of 10 ⇒ quota.low; 10 ⇒ quota.exhausted; the refused 11th adds nothing.
    expect(queued).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 2]);
  });
});
