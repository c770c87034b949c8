// Admin: webhook deliveries — what the outbox holds (pending, delivered, dead) and a retry of a
// dead delivery under the same webhook-id. Works with webhooks off too (then the list is empty).

import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env';
import { ApiError } from '../errors/problems';
import { encodeCursor } from '../objects/page';
import { outbox } from '../objects/outbox/client';
import type { DeliveryRow } from '../objects/outbox/types';
import { Delivery, DeliveryPage, type DeliveryView } from './responses';
import { adminRoute, deliveryId, json } from './route';
import { deliveryListQuery } from './schemas';
import { afterCursor, found } from './validate';

export const webhooks = new OpenAPIHono<AppEnv>();

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function deliveryView(row: DeliveryRow): DeliveryView {
  return {
    id: row.id,
    type: row.type as DeliveryView['type'],
    status: row.status,
    attempts: row.attempts,
    createdAt: new Date(row.created_at).toISOString(),
    nextAttemptAt: row.status === 'pending' ? iso(row.next_attempt_at) : null,
    lastAttemptAt: iso(row.last_attempt_at),
    lastStatus: row.last_status,
    lastError: row.last_error,
    deliveredAt: iso(row.delivered_at),
    payload: JSON.parse(row.body) as DeliveryView['payload'],
  };
}

webhooks.openapi(
  adminRoute(
    {
      method: 'get',
      path: '/webhooks/deliveries',
      summary: 'Webhook deliveries, oldest first: pending (with their next attempt), delivered, dead',
      request: { query: deliveryListQuery },
      responses: { 200: json(DeliveryPage, 'A page of deliveries') },
    },
    [400],
  ),
  async (c) => {
    const { limit, cursor, status } = c.req.valid('query');
    const page = await outbox(c.env).list(status, limit, afterCursor(cursor));
    return c.json({ items: page.items.map(deliveryView), nextCursor: encodeCursor(page.nextAfter) }, 200);
  },
);

webhooks.openapi(
  adminRoute(
    {
      method: 'post',
      path: '/webhooks/deliveries/{deliveryId}/retry',
      summary: 'Queue a dead delivery again, with the same webhook-id',
      request: { params: deliveryId },
      responses: { 200: json(Delivery, 'The delivery, pending again') },
    },
    [404, 409],
  ),
  async (c) => {
    const result = found(await outbox(c.env).retry(c.req.valid('param').deliveryId, Date.now()), 'delivery');
    if (result === 'not-dead') throw new ApiError('conflict', { detail: 'Only a dead delivery can be retried' });
    return c.json(deliveryView(result), 200);
  },
);
