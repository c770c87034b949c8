// FEED_*: how a call waits for a fresh view of key changes (README "Revocation").

import { z } from 'zod';
import { integer, oneOf } from './setting';

export const FEED_SETTINGS = {
  FEED_TIMEOUT_MS: integer('FEED_TIMEOUT_MS', 1_000, { min: 1, max: 10_000 }),
  FEED_FAILURE_POLICY: oneOf(['refuse', 'serve-stale'], 'refuse', 'FEED_FAILURE_POLICY must be "refuse" or "serve-stale"'),
  // At most 25 s: Cloudflare ends a request's waitUntil work 30 s after its response.
  FEED_KEEP_FRESH_MS: integer('FEED_KEEP_FRESH_MS', 25_000, { max: 25_000 }),
};

type FeedSettings = z.output<z.ZodObject<typeof FEED_SETTINGS>>;

/** The change feed on the request path (edge/feed/freshness.ts). */
export function freshnessOptions(s: FeedSettings) {
  return {
    timeoutMs: s.FEED_TIMEOUT_MS,
    /** What a call does when the change feed cannot be read in time. */
    policy: s.FEED_FAILURE_POLICY,
    /** How long a call keeps the background refresh going; 0: none (calls refresh on their own). */
    keepFreshMs: s.FEED_KEEP_FRESH_MS,
  };
}

export type FreshnessOptions = ReturnType<typeof freshnessOptions>;
export type FeedFailurePolicy = FreshnessOptions['policy'];
