// The deadlines and counts of the request path: how long a call waits on KV and on a key's limiter,
// how many failed authentications an address gets, how usage is batched.

import { integer } from './setting';

export const LIMIT_SETTINGS = {
  AUTH_TIMEOUT_MS: integer('AUTH_TIMEOUT_MS', 1_500, { min: 1, max: 60_000 }),
  LIMITER_TIMEOUT_MS: integer('LIMITER_TIMEOUT_MS', 5_000, { min: 1, max: 60_000 }),
  AUTH_FAILURE_LIMIT: integer('AUTH_FAILURE_LIMIT', 100),
  ADMIN_AUTH_FAILURE_LIMIT: integer('ADMIN_AUTH_FAILURE_LIMIT', 10),
  USAGE_FLUSH_MS: integer('USAGE_FLUSH_MS', 1_000, { max: 10_000 }),
  USAGE_FLUSH_EVENTS: integer('USAGE_FLUSH_EVENTS', 500, { min: 1, max: 5_000 }),
};
