// What the WebhookOutbox takes over RPC.

export type WebhookEventType = 'key.created' | 'key.revoked' | 'key.exposed' | 'key.expiring' | 'quota.low' | 'quota.exhausted';

/** A signed-to-be message: `body` is the exact JSON sent on every attempt. */
export type WebhookMessage = {
  id: string;
  type: WebhookEventType;
  body: string;
  at: number;
};
