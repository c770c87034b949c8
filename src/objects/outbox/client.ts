// The only code that calls the WebhookOutbox Durable Object: one named object holds every delivery.

import type { WebhookOutbox } from './object';

export function outbox(env: { WEBHOOKS: Env['WEBHOOKS'] }): DurableObjectStub<WebhookOutbox> {
  return env.WEBHOOKS.get(env.WEBHOOKS.idFromName('outbox'));
}
