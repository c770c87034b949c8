// Admin: webhook deliveries — what the outbox holds (pending, delivered, dead) and a retry of a
// dead delivery under the same webhook-id. Works with webhooks off too (then the list is empty).

import { Hono } from 'hono';
import type { AppEnv } from '../app-env';
import { ApiError } from '../errors/problems';
import { encodeCursor } from '../objects/page';
import { outbox } from '../objects/outbox/client';
import type { DeliveryRow } from '../objects/outbox/types';
import { afterCursor, found } from './projects';
import { deliveryListQuery } from './schemas';
import { query } from './validate';

export const webhooks = new Hono<AppEnv>();

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function deliveryView(row: DeliveryRow) {
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    attempts: row.attempts,
    createdAt: new Date(row.created_at).toISOString(),
    nextAttemptAt: row.status === 'pending' ? iso(row.next_attempt_at) : null,
    lastAttemptAt: iso(row.last_attempt_at),
    lastStatus: row.last_status,
    lastError: row.last_error,
    deliveredAt: iso(row.delivered_at),
    payload: JSON.parse(row.body) as unknown,
  };
}

webhooks.get('/deliveries', async (c) => {
  const { limit, cursor, status } = query(c, deliveryListQuery);
  const page = await outbox(c.env).list(status, limit, afterCursor(cursor));
  return c.json({ items: page.items.map(deliveryView), nextCursor: encodeCursor(page.nextAfter) });
});

webhooks.post('/deliveries/:deliveryId/retry', async (c) => {
  const result = found(await outbox(c.env).retry(c.req.param('deliveryId'), Date.now()), 'delivery');
  if (result === 'not-dead') throw new ApiError('conflict', { detail: 'Only a dead delivery can be retried' });
  return c.json(deliveryView(result));
});
