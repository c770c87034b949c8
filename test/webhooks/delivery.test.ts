// Webhook delivery: Standard Webhooks signatures checked by the `standardwebhooks` package in a
// receiver outside keygate, retries with backoff under one webhook-id, dead letters in the admin
// API and their retry, and one delivery per webhook-id.

import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { hashKey } from '../../src/core/key-hash';
import { outbox } from '../../src/objects/outbox/client';
import { webhookMessage } from '../../src/webhooks/events';
import { adminCall, adminJson, createKey, createProject } from '../helpers/admin';
import { expectProblem } from '../helpers/gateway';
import { deliveriesOf, delivered, failNext, received, rejected, until } from './helpers';

describe('webhook delivery', () => {
  it('key.created arrives signed (verified by standardwebhooks) and carries no key or hash', async () => {
    const projectId = await createProject('webhook signed');
    const key = await createKey({ name: 'signed key', expiresAt: null }, projectId);
    const [event] = await delivered(projectId, 1);
    expect(event).toMatchObject({ type: 'key.created', answered: 204 });
    expect(event?.id).toMatch(/^msg_[0-9A-Za-z]{24}$/);
    expect(Math.abs((event?.timestamp ?? 0) - Date.now() / 1000)).toBeLessThan(30);
    expect(event?.data).toEqual({
      keyId: key.id,
      projectId,
      name: 'signed key',
      start: key.start,
      environment: 'live',
      status: 'active',
      createdAt: key.createdAt,
      expiresAt: null,
      revokedAt: null,
      rotatedFrom: null,
    });
    const text = JSON.stringify(await received(projectId));
    expect(text).not.toContain(key.key);
    expect(text).not.toContain(await hashKey(key.key));
    expect(await rejected()).toBe(0);
  });

  it('fails the first two deliveries: retried with backoff under the same webhook-id, then delivered once', async () => {
    const projectId = await createProject('webhook retries');
    await failNext(projectId, 2);
    await createKey({}, projectId);
    await delivered(projectId, 1);
    const attempts = await received(projectId);
    expect(attempts.map((a) => a.answered)).toEqual([503, 503, 204]);
    expect(new Set(attempts.map((a) => a.id)).size).toBe(1);
    const [a, b, c] = attempts.map((x) => x.receivedAt) as [number, number, number];
    // WEBHOOK_RETRY_DELAYS_MS=300,600,900 in the test configuration.
    expect(b - a).toBeGreaterThanOrEqual(280);
    expect(c - b).toBeGreaterThanOrEqual(580);
    const [delivery] = await deliveriesOf(projectId, 'delivered');
    expect(delivery).toMatchObject({ id: attempts[0]?.id, status: 'delivered', attempts: 3, lastStatus: 204, lastError: null });
    // Nothing more is sent for it.
    await new Promise((r) => setTimeout(r, 400));
    await until(
      () => received(projectId),
      () => true,
    );
    expect(await received(projectId)).toHaveLength(3);
  });

  it('dead after the last attempt, listed by the admin API, and retried from it under the same id', async () => {
    const projectId = await createProject('webhook dead letter');
    await failNext(projectId, 100);
    await createKey({}, projectId);
    const [dead] = await until(
      () => deliveriesOf(projectId, 'dead'),
      (list) => list.length === 1,
      { what: 'the delivery to be dead' },
    );
    expect(dead).toMatchObject({
      type: 'key.created',
      status: 'dead',
      attempts: 4,
      lastStatus: 503,
      lastError: 'HTTP 503',
      nextAttemptAt: null,
    });
    const attempts = await received(projectId);
    expect(attempts).toHaveLength(4);
    expect(attempts.every((x) => x.id === dead?.id && x.answered === 503)).toBe(true);
    expect(await deliveriesOf(projectId, 'pending')).toEqual([]);

    await failNext(projectId, 0);
    const again = await adminJson<{ status: string; attempts: number; id: string }>('POST', `/webhooks/deliveries/${dead?.id}/retry`);
    expect(again).toMatchObject({ id: dead?.id, status: 'pending', attempts: 0 });
    const [ok] = await delivered(projectId, 1);
    expect(ok?.id).toBe(dead?.id);
    const [after] = await until(
      () => deliveriesOf(projectId, 'delivered'),
      (list) => list.length === 1,
      { what: 'the retried delivery to be marked delivered' },
    );
    expect(after).toMatchObject({ id: dead?.id, status: 'delivered', attempts: 1 });
    await expectProblem(await adminCall('POST', `/webhooks/deliveries/${dead?.id}/retry`), 'conflict', 409);
    await expectProblem(await adminCall('POST', '/webhooks/deliveries/msg_nosuchdelivery/retry'), 'not-found', 404);
  }, 90_000);

  it('an event handed over twice is stored once and delivered once', async () => {
    const projectId = `prj_dedupe${Date.now()}`;
    const message = webhookMessage('key.revoked', { keyId: 'key_dedupe', projectId, reason: 'admin' }, Date.now());
    await outbox(env).enqueue([message], Date.now());
    await outbox(env).enqueue([message], Date.now());
    await delivered(projectId, 1);
    expect(await deliveriesOf(projectId)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(await received(projectId)).toHaveLength(1);
  });

  it('the deliveries list validates its query', async () => {
    await expectProblem(await adminCall('GET', '/webhooks/deliveries?status=lost'), 'validation-failed', 400);
    await expectProblem(await adminCall('GET', '/webhooks/deliveries?cursor=nope'), 'validation-failed', 400);
  });
});
