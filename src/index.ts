// Entry point: the app and the Durable Object classes, nothing else.

import { app } from './app';

export { Registry } from './registry/registry-do';
export { KeyLimiter } from './usage/limiter-do';
export { UsageShard } from './usage/usage-do';

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
