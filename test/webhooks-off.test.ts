// Webhooks unset (this project binds no WEBHOOK_URL): every event source writes nothing — no
// registry or limiter outbox rows, no outbox object rows — and the cron trigger does nothing.
// Plus the configuration checks and the signature, compared with the `standardwebhooks` package.

import { createExecutionContext, createScheduledController, env, runInDurableObject, waitOnExecutionContext } from 'cloudflare:test';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import worker from '../src';
import { registry } from '../src/objects/registry/client';
import type { Registry } from '../src/objects/registry/object';
import type { KeyLimiter } from '../src/objects/limiter/object';
import { outbox } from '../src/objects/outbox/client';
import { DEFAULT_RETRY_DELAYS_MS, parseWebhookConfig } from '../src/config/webhooks';
import type { WebhookOutbox } from '../src/objects/outbox/object';
import { signatureHeaders } from '../src/webhooks/sign';
import { adminCall, adminJson, createKey } from './helpers/admin';
import { expectProblem, gateway, newTag, withKey } from './helpers/gateway';

const SECRET = 'whsec_a2V5Z2F0ZS10ZXN0LXdlYmhvb2stc2VjcmV0LTAxMjM=';
const rows = (state: DurableObjectState, table: string) => Number(state.storage.sql.exec(`SELECT COUNT(*) AS n FROM ${table}`).one().n);

describe('webhooks off', () => {
  it('no outbox writes anywhere when WEBHOOK_URL is unset', async () => {
    const key = await createKey({ quota: { limit: 2, period: 'day' }, expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    const tag = newTag();
    for (let i = 0; i < 3; i++) await gateway('/forms/1', withKey(key.key, tag));
    await gateway('http://api.example.com/forms/1', withKey(key.key, tag));
    await adminJson('POST', `/keys/${key.id}/revoke`);
    const other = await createKey({ expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    const ctx = createExecutionContext();
    worker.scheduled(createScheduledController({ scheduledTime: Date.now() }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect((await adminCall('DELETE', `/projects/${other.projectId}`)).status).toBe(204);

    expect(await runInDurableObject(registry(env), (_: Registry, s) => [rows(s, 'webhook_events'), rows(s, 'expiry_notices')])).toEqual([
      0, 0,
    ]);
    const limiter = env.LIMITER.get(env.LIMITER.idFromName(key.id));
    expect(await runInDurableObject(limiter, (_: KeyLimiter, s) => [rows(s, 'webhook_events'), rows(s, 'quota_notices')])).toEqual([0, 0]);
    expect(await runInDurableObject(outbox(env), (_: WebhookOutbox, s) => rows(s, 'deliveries'))).toBe(0);
    expect(await adminJson('GET', '/webhooks/deliveries')).toEqual({ items: [], nextCursor: null });
  });

  it('invalid webhook settings fail closed: 500 misconfigured at the first request', async () => {
    const bad: Record<string, string>[] = [
      { WEBHOOK_SECRET: SECRET },
      { WEBHOOK_URL: 'http://hooks.example.com/in', WEBHOOK_SECRET: SECRET },
      // A loopback receiver is one outside local development (the Worker's own LOCAL_DEV, off here).
      { WEBHOOK_URL: 'https://127.0.0.1:9/in', WEBHOOK_SECRET: SECRET, LOCAL_DEV: 'false' },
      { WEBHOOK_URL: 'https://hooks.example.com/in' },
      { WEBHOOK_URL: 'https://hooks.example.com/in', WEBHOOK_SECRET: 'a2V5Z2F0ZS10ZXN0LXdlYmhvb2stc2VjcmV0LTAxMjM=' },
      { WEBHOOK_URL: 'https://hooks.example.com/in', WEBHOOK_SECRET: 'whsec_c2hvcnQ=' },
      { WEBHOOK_URL: 'https://hooks.example.com/in', WEBHOOK_SECRET: 'whsec_!!!' },
      { WEBHOOK_URL: 'https://hooks.example.com/in', WEBHOOK_SECRET: SECRET, WEBHOOK_RETRY_DELAYS_MS: '5000,soon' },
      { WEBHOOK_URL: 'https://hooks.example.com/in', WEBHOOK_SECRET: SECRET, WEBHOOK_TIMEOUT_MS: '5' },
    ];
    for (const overrides of bad) {
      expect(() => parseWebhookConfig(overrides), JSON.stringify(overrides)).toThrow();
      await expectProblem(await adminCall('GET', '/projects', undefined, overrides), 'misconfigured', 500);
    }
  });

  it('valid settings: https anywhere, loopback only in local development, default retry schedule', () => {
    expect(parseWebhookConfig({})).toBeNull();
    const config = parseWebhookConfig({ WEBHOOK_URL: 'https://hooks.example.com/in?source=keygate', WEBHOOK_SECRET: SECRET });
    expect(config).toMatchObject({
      url: 'https://hooks.example.com/in?source=keygate',
      timeoutMs: 10_000,
      retryDelaysMs: DEFAULT_RETRY_DELAYS_MS,
    });
    expect(config?.secret).toHaveLength(32);
    expect(
      parseWebhookConfig({
        WEBHOOK_URL: 'http://127.0.0.1:9/x',
        WEBHOOK_SECRET: SECRET,
        WEBHOOK_RETRY_DELAYS_MS: '10, 20',
        LOCAL_DEV: 'true',
      })?.retryDelaysMs,
    ).toEqual([10, 20]);
    expect(() => parseWebhookConfig({ WEBHOOK_URL: 'http://127.0.0.1:9/x', WEBHOOK_SECRET: SECRET })).toThrow(
      /WEBHOOK_URL is a loopback address/,
    );
  });

  it('signatures match the standardwebhooks package’s, and its verify accepts them', async () => {
    const config = parseWebhookConfig({ WEBHOOK_URL: 'https://hooks.example.com/in', WEBHOOK_SECRET: SECRET });
    const body = JSON.stringify({ type: 'key.created', timestamp: '2026-11-28T00:00:00.000Z', data: { keyId: 'key_1' } });
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = await signatureHeaders(config?.secret as Uint8Array, 'msg_abc', timestamp, body);
    const reference = new Webhook(SECRET);
    expect(headers['webhook-signature']).toBe(reference.sign('msg_abc', new Date(timestamp * 1000), body));
    expect(reference.verify(body, headers)).toMatchObject({ type: 'key.created' });
    expect(() => reference.verify(body.replace('key_1', 'key_2'), headers)).toThrow();
  });
});
