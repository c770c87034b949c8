// Lifecycle events and the small local outbox the Registry and each KeyLimiter keep: an event is
// written into the object's own SQLite in the same synchronous step as the change it reports, so
// it commits or is lost with that change; the object's alarm then hands it to the WebhookOutbox
// (at least once — the outbox ignores an id it already holds).

import { randomBase62 } from '../core/key-format';
import { log } from '../log';
import { armAlarm } from '../objects/alarm';
import { outbox } from '../objects/outbox/client';
import { webhooksEnabled, type WebhookBindings } from '../config/webhooks';

export type { WebhookEventType, WebhookMessage } from '../objects/outbox/types';
import type { WebhookEventType, WebhookMessage } from '../objects/outbox/types';

// The `webhook_events` table is created by each keeping object's own migrations (registry v4,
// limiter v3), as literal SQL: a shared constant would rewrite history in both if edited.

/** How long a failed hand-over waits before the alarm tries again. */
const HANDOVER_RETRY_MS = 10_000;
const HANDOVER_BATCH = 200;

/** A message with a fresh webhook-id; the body is `{type, timestamp, data}` (Standard Webhooks). */
export function webhookMessage(type: WebhookEventType, data: Record<string, unknown>, now: number): WebhookMessage {
  const body = JSON.stringify({ type, timestamp: new Date(now).toISOString(), data });
  return { id: `msg_${randomBase62(24)}`, type, body, at: now };
}

export class LocalOutbox {
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly env: WebhookBindings & { WEBHOOKS: Env['WEBHOOKS'] },
  ) {}

  get enabled(): boolean {
    return webhooksEnabled(this.env);
  }

  /**
   * Writes the events at once (synchronously, with the caller's change) and returns the promise of
   * the alarm that hands them over. Nothing is written when webhooks are off.
   */
  queue(events: { type: WebhookEventType; data: Record<string, unknown> }[], now: number): Promise<void> {
    if (!this.enabled || events.length === 0) return Promise.resolve();
    for (const { type, data } of events) {
      const m = webhookMessage(type, data, now);
      this.storage.sql.exec(`INSERT INTO webhook_events (id, type, body, at) VALUES (?, ?, ?, ?)`, m.id, m.type, m.body, m.at);
    }
    return armAlarm(this.storage, now);
  }

  /** From the alarm: hands queued events to the WebhookOutbox; on failure keeps them and retries. */
  async handOver(now: number): Promise<void> {
    const rows = this.storage.sql
      .exec<{ seq: number } & WebhookMessage>(`SELECT seq, id, type, body, at FROM webhook_events ORDER BY seq LIMIT ?`, HANDOVER_BATCH)
      .toArray();
    if (rows.length === 0) return;
    try {
      await outbox(this.env).enqueue(
        rows.map(({ id, type, body, at }) => ({ id, type, body, at })),
        now,
      );
    } catch (error) {
      log('error', 'webhook events not handed to the outbox; kept for a retry', { events: rows.length, error: String(error) });
      await armAlarm(this.storage, now + HANDOVER_RETRY_MS);
      return;
    }
    this.storage.sql.exec(`DELETE FROM webhook_events WHERE seq <= ?`, (rows[rows.length - 1] as { seq: number }).seq);
    if (rows.length === HANDOVER_BATCH) await armAlarm(this.storage, now);
  }
}
