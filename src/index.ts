// Entry point: the app, the cron trigger (expiry webhooks) and the Durable Object classes.

import { handle } from './app';
import { onSchedule } from './webhooks/scheduled';

export { Registry } from './registry/registry-do';
export { FeedReplica } from './feed/replica-do';
export { KeyLimiter } from './usage/limiter-do';
export { UsageShard } from './usage/usage-do';
export { WebhookOutbox } from './webhooks/outbox-do';

export default {
  fetch: handle,
  scheduled(controller, env, ctx) {
    ctx.waitUntil(onSchedule(env, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env>;
