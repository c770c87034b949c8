// WebhookOutbox: the durable outbox of every webhook delivery (one object, named "outbox"). Rows
// are keyed by webhook-id, so an event handed over twice is stored once. The alarm delivers what is
// due: a 2xx marks it delivered; anything else (status, timeout, network) schedules the next attempt
// after WEBHOOK_RETRY_DELAYS_MS, and after the last one the delivery is dead — listed by the admin
// API, which can queue it again under the same webhook-id. Every attempt is signed afresh
// (Standard Webhooks: the timestamp is the attempt's), the body is always the same bytes.

import { parseWebhookConfig, type WebhookBindings, type WebhookConfig } from '../../config/webhooks';
import { log } from '../../log';
import { signatureHeaders } from '../../webhooks/sign';
import { armAlarm } from '../alarm';
import { readPage } from '../page';
import { SqliteObject } from '../sqlite-object';
import { OUTBOX_MIGRATIONS } from './schema';
import type { DeliveryPage, DeliveryRow, DeliveryStatus, WebhookMessage } from './types';

/** Deliveries attempted per alarm; more ⇒ the alarm rings again at once. */
const BATCH = 25;
/** Delivered rows are kept 7 days, dead ones 30. */
const DELIVERED_RETENTION_MS = 7 * 86_400_000;
const DEAD_RETENTION_MS = 30 * 86_400_000;

export class WebhookOutbox extends SqliteObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, OUTBOX_MIGRATIONS);
  }

  /** Stores new messages as pending, due at `now` (an id already here is ignored), and wakes the alarm. */
  async enqueue(messages: WebhookMessage[], now: number): Promise<void> {
    for (const m of messages) {
      this.sql.exec(
        `INSERT INTO deliveries (id, type, body, created_at, status, attempts, next_attempt_at) VALUES (?, ?, ?, ?, 'pending', 0, ?)
         ON CONFLICT (id) DO NOTHING`,
        m.id,
        m.type,
        m.body,
        m.at,
        now,
      );
    }
    await armAlarm(this.ctx.storage, now);
  }

  list(status: DeliveryStatus | undefined, limit: number, after: number): DeliveryPage {
    const read = (n: number) =>
      this.sql
        .exec<DeliveryRow>(
          `SELECT * FROM deliveries WHERE seq > ? AND (? IS NULL OR status = ?) ORDER BY seq LIMIT ?`,
          after,
          status ?? null,
          status ?? null,
          n,
        )
        .toArray();
    return readPage(limit, read, (row) => row);
  }

  get(id: string): DeliveryRow | null {
    return this.sql.exec<DeliveryRow>(`SELECT * FROM deliveries WHERE id = ?`, id).toArray()[0] ?? null;
  }

  /** Queues a dead delivery again, due at `now`, same webhook-id, attempts from zero; 'not-dead' otherwise. */
  async retry(id: string, now: number): Promise<DeliveryRow | 'not-dead' | null> {
    const row = this.get(id);
    if (row === null) return null;
    if (row.status !== 'dead') return 'not-dead';
    this.sql.exec(`UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = ? WHERE id = ?`, now, id);
    await armAlarm(this.ctx.storage, now);
    return this.get(id);
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    this.sql.exec(`DELETE FROM deliveries WHERE status = 'delivered' AND delivered_at < ?`, now - DELIVERED_RETENTION_MS);
    this.sql.exec(`DELETE FROM deliveries WHERE status = 'dead' AND last_attempt_at < ?`, now - DEAD_RETENTION_MS);
    let config: WebhookConfig | null = null;
    try {
      config = parseWebhookConfig(this.env as Env & WebhookBindings);
    } catch (error) {
      log('error', 'webhook deliveries held: invalid configuration', { error: String(error) });
    }
    // Held, not lost: the next event queued once webhooks are configured again wakes them all.
    if (config === null) return;
    const due = this.sql
      .exec<DeliveryRow>(
        `SELECT * FROM deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?`,
        now,
        BATCH,
      )
      .toArray();
    // Claimed for the attempt's duration, so an overlapping alarm never sends the same row twice.
    for (const row of due) this.sql.exec(`UPDATE deliveries SET next_attempt_at = ? WHERE id = ?`, now + config.timeoutMs + 1_000, row.id);
    await Promise.all(due.map((row) => this.attempt(row, config)));
    const next = this.sql
      .exec<{ at: number | null }>(`SELECT MIN(next_attempt_at) AS at FROM deliveries WHERE status = 'pending'`)
      .one().at;
    if (next !== null) await armAlarm(this.ctx.storage, Math.max(next, Date.now()));
  }

  private async attempt(row: DeliveryRow, config: WebhookConfig): Promise<void> {
    const outcome = await send(config, row);
    const at = Date.now();
    const attempts = row.attempts + 1;
    if (outcome.ok) {
      this.sql.exec(
        `UPDATE deliveries SET status = 'delivered', attempts = ?, last_attempt_at = ?, last_status = ?, last_error = NULL, delivered_at = ?, next_attempt_at = NULL WHERE id = ?`,
        attempts,
        at,
        outcome.status,
        at,
        row.id,
      );
      return;
    }
    const delay = config.retryDelaysMs[attempts - 1];
    const dead = delay === undefined;
    this.sql.exec(
      `UPDATE deliveries SET status = ?, attempts = ?, last_attempt_at = ?, last_status = ?, last_error = ?, next_attempt_at = ? WHERE id = ?`,
      dead ? 'dead' : 'pending',
      attempts,
      at,
      outcome.status,
      outcome.error,
      dead ? null : at + delay,
      row.id,
    );
    log(dead ? 'error' : 'warn', dead ? 'webhook delivery dead' : 'webhook delivery failed; will retry', {
      webhookId: row.id,
      type: row.type,
      attempts,
      status: outcome.status,
      error: outcome.error,
    });
  }
}

type Outcome = { ok: true; status: number } | { ok: false; status: number | null; error: string };

/** One signed POST with a timeout; never throws. */
async function send(config: WebhookConfig, row: DeliveryRow): Promise<Outcome> {
  try {
    const headers = await signatureHeaders(config.secret, row.id, Math.floor(Date.now() / 1000), row.body);
    const res = await fetch(config.url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'user-agent': 'keygate-webhooks/1' },
      body: row.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(config.timeoutMs),
    });
    await res.body?.cancel();
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    return { ok: false, status: res.status, error: `HTTP ${res.status}` };
  } catch (error) {
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    return { ok: false, status: null, error: timedOut ? `timeout after ${config.timeoutMs} ms` : String(error).slice(0, 200) };
  }
}
