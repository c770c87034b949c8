// Who may call and what a key may do: the key prefix, the route rules, what happens to an exposed
// or leaked key, the in-isolate key cache, and the admin API's token.

import { z } from 'zod';
import { PREFIX_PATTERN } from '../core/key-format';
import type { ExposurePolicy } from '../core/key-record';
import { parseRoutes } from '../core/route-rules';
import { integer, oneOf, parsedBy } from './setting';

const PREFIX = 'KEY_PREFIX must match [a-z][a-z0-9]{1,15}';
const LEAK_POLICIES = ['revoke', 'disable', 'flag'] as const satisfies readonly ExposurePolicy[];

export const ACCESS_SETTINGS = {
  KEY_PREFIX: z
    .string({ error: PREFIX })
    .optional()
    .transform((raw) => raw || 'kg')
    .pipe(z.string().regex(PREFIX_PATTERN, PREFIX)),
  /** A JSON array of rules (a TOML value) or its JSON text (`--var`, the dashboard); unset ⇒ null. */
  ROUTES: z.unknown().optional().transform(parsedBy(parseRoutes)),
  EXPOSED_KEY_POLICY: oneOf(['revoke', 'flag'], 'revoke', 'EXPOSED_KEY_POLICY must be "revoke" or "flag"'),
  LEAKED_KEY_POLICY: oneOf(LEAK_POLICIES, 'revoke', 'LEAKED_KEY_POLICY must be "revoke", "disable" or "flag"'),
  /** 0 turns the cache off (benchmarks). */
  KEY_CACHE_TTL_MS: integer('KEY_CACHE_TTL_MS', 60_000),
  /**
   * Read by admin/auth.ts, which answers 503 admin-disabled while it is unset or shorter than 16
   * characters. Never a configuration error: the data plane serves without an admin API.
   */
  ADMIN_TOKEN: z.string().optional().catch(undefined),
};
