// Webhook tests: what the receiver recorded, making it fail, and driving the objects' alarms
// (runDurableObjectAlarm) while waiting for a delivery, so no test depends on alarm timing alone.

import { env, runDurableObjectAlarm } from 'cloudflare:test';
import { registry } from '../../src/objects/registry/client';
import { outbox } from '../../src/objects/outbox/client';
import type { ReceivedWebhook } from '../helpers/webhook-types';
import { adminJson } from '../helpers/admin';

export type { ReceivedWebhook };

const receiver = new URL((env as unknown as { WEBHOOK_URL: string }).WEBHOOK_URL).origin;

/** Every delivery attempt the receiver verified for this project, in arrival order. */
export async function received(projectId: string): Promise<ReceivedWebhook[]> {
  return (await (await fetch(`${receiver}/__webhooks/${projectId}`)).json()) as ReceivedWebhook[];
}

/** Deliveries whose signature the receiver refused (over the whole run). */
export async function rejected(): Promise<number> {
  return ((await (await fetch(`${receiver}/__rejected`)).json()) as { rejected: number }).rejected;
}

/** The receiver answers the next `n` deliveries of this project with 503. */
export async function failNext(projectId: string, n: number): Promise<void> {
  await fetch(`${receiver}/__fail/${projectId}/${n}`, { method: 'POST' });
}

/** Runs the alarms of the registry, the outbox and the given key limiters. */
export async function runAlarms(limiterKeys: string[] = []): Promise<void> {
  await runDurableObjectAlarm(registry(env));
  for (const keyId of limiterKeys) await runDurableObjectAlarm(env.LIMITER.get(env.LIMITER.idFromName(keyId)));
  await runDurableObjectAlarm(outbox(env));
}

/**
 * Polls `read` (running alarms between polls) until `done` holds; fails after `ms` (20 s: a CI
 * machine running every test file beside this one has taken longer than 10 s for four attempts),
 * naming what it waited for and what the outbox held then.
 */
export async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  opts: { ms?: number; limiters?: string[]; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.ms ?? 20_000);
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      const outbox = (await deliveriesOf()).map(({ id, status, attempts, lastStatus, lastError, nextAttemptAt }) => ({
        id,
        status,
        attempts,
        lastStatus,
        lastError,
        nextAttemptAt,
      }));
      throw new Error(
        `timed out waiting for ${opts.what ?? 'a condition'}; last value: ${JSON.stringify(value)}; outbox: ${JSON.stringify(outbox.slice(-5))}`,
      );
    }
    await runAlarms(opts.limiters);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the receiver has `n` successful (2xx) deliveries for this project; returns them. */
export async function delivered(projectId: string, n: number, limiters: string[] = []): Promise<ReceivedWebhook[]> {
  const all = await until(
    () => received(projectId),
    (list) => list.filter((w) => w.answered < 300).length >= n,
    { limiters, what: `${n} successful deliveries to ${projectId}` },
  );
  return all.filter((w) => w.answered < 300);
}

export interface DeliveryView {
  id: string;
  type: string;
  status: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  payload: { type: string; timestamp: string; data: Record<string, unknown> };
}

/** The outbox's deliveries for this project (every project's without one), as the admin API lists them. */
export async function deliveriesOf(projectId?: string, status?: string): Promise<DeliveryView[]> {
  const items: DeliveryView[] = [];
  let cursor: string | null = null;
  do {
    const q = new URLSearchParams({ limit: '100', ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) });
    const page: { items: DeliveryView[]; nextCursor: string | null } = await adminJson('GET', `/webhooks/deliveries?${q}`);
    items.push(...page.items.filter((d) => projectId === undefined || d.payload.data.projectId === projectId));
    cursor = page.nextCursor;
  } while (cursor !== null);
  return items;
}
