// The Durable Object bindings of wrangler.toml, for the runtimes that start keygate through
// miniflare's Node API (e2e tests, benchmarks). A test checks this list against wrangler.toml.
export const DURABLE_OBJECTS = {
  REGISTRY: { className: 'Registry', useSQLite: true },
  FEED: { className: 'FeedReplica', useSQLite: true },
  LIMITER: { className: 'KeyLimiter', useSQLite: true },
  USAGE: { className: 'UsageShard', useSQLite: true },
  WEBHOOKS: { className: 'WebhookOutbox', useSQLite: true },
};
