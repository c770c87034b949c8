// What the WebhookOutbox takes and answers over RPC.

import type { Page } from '../page';

export type WebhookEventType =
  | 'key.created'
  | 'key.revoked'
  | 'key.exposed'
  | 'key.expiring'
  | 'quota.low'
  | 'quota.exhausted'
  | 'customer.quota.low'
  | 'customer.quota.exhausted';

/** A signed-to-be message: `body` is the exact JSON sent on every attempt. */
export type WebhookMessage = {
  id: string;
  type: WebhookEventType;
  body: string;
  at: number;
};

export type DeliveryStatus = 'pending' | 'delivered' | 'dead';

export type DeliveryRow = {
  seq: number;
  id: string;
  type: string;
  body: string;
  created_at: number;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number | null;
  last_attempt_at: number | null;
  last_status: number | null;
  last_error: string | null;
  delivered_at: number | null;
};

export type DeliveryPage = Page<DeliveryRow>;
