// Entry point: the app, the cron trigger (expiry webhooks), the Durable Object classes and the RPC verifier.

import { handle } from './app';
import { onSchedule } from './scheduled';

export { Registry } from './objects/registry/object';
export { FeedReplica } from './objects/feed-replica/object';
export { KeyLimiter } from './objects/limiter/object';
export { UsageShard } from './objects/usage/object';
export { WebhookOutbox } from './objects/outbox/object';
export { KeygateVerifier } from './verify/rpc';

export default {
  fetch: handle,
  scheduled(controller, env, ctx) {
    ctx.waitUntil(onSchedule(env, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env>;
