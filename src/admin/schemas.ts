// The admin API's input contract (zod). Objects are strict: a field that may not be set (id, hash,
// projectId, createdAt, usage…) is a 400, not silently ignored.

import { z } from '@hono/zod-openapi';
import { parseCidr } from '../core/ip';
import { isValidScope } from '../core/scopes';
import { RESERVED_MESSAGE, RESERVED_NAMES } from './reserved-names';

const name = z.string().trim().min(1).max(200);
/** String → string; a reserved key name (`__proto__`, `constructor`, `prototype`) is a 400 naming it. */
const metadata = z
  .record(
    z
      .string()
      .min(1)
      .max(64)
      .refine((k) => !RESERVED_NAMES.includes(k), RESERVED_MESSAGE),
    z.string().max(1024),
  )
  .refine((m) => Object.keys(m).length <= 50, 'at most 50 metadata entries');
const scopes = z.array(z.string().refine(isValidScope, 'must be "resource:action", "resource:*" or "!resource:action"')).max(100);
const ipAllowlist = z.array(z.string().refine((s) => parseCidr(s) !== null, 'must be an IPv4 or IPv6 address or CIDR range')).max(100);
const expiresAt = z.iso.datetime({ offset: true }).nullable();
/** A sliding window; at most 100,000 calls per window (each admitted call is logged until it leaves). */
const rateLimit = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'lowercase letters, digits, _ and -'),
  limit: z.number().int().min(1).max(100_000),
  windowSeconds: z
    .number()
    .int()
    .min(1)
    .max(31 * 86_400),
});
const rateLimits = z
  .array(rateLimit)
  .max(5)
  .refine((l) => new Set(l.map((r) => r.name)).size === l.length, 'rate limit names must be unique');
const quota = z.strictObject({ limit: z.number().int().min(1).max(1_000_000_000), period: z.enum(['day', 'month']) }).nullable();

export const projectCreate = z
  .strictObject({
    name,
    description: z.string().max(2000).optional(),
    metadata: metadata.optional(),
  })
  .openapi('ProjectCreate');

export const projectUpdate = z
  .strictObject({
    name: name.optional(),
    description: z.string().max(2000).optional(),
    metadata: metadata.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'at least one field to change')
  .openapi('ProjectUpdate');

export const keyRotate = z
  .strictObject({
    /** The old key keeps working this long (at most 30 days); 0 retires it at once. */
    gracePeriodSeconds: z
      .number()
      .int()
      .min(0)
      .max(30 * 86_400)
      .default(0),
  })
  .openapi('KeyRotate');

export const keyCreate = z
  .strictObject({
    name,
    scopes,
    environment: z.enum(['live', 'test']).default('live'),
    expiresAt: expiresAt.optional(),
    ipAllowlist: ipAllowlist.optional(),
    metadata: metadata.optional(),
    rateLimits: rateLimits.optional(),
    quota: quota.optional(),
  })
  .openapi('KeyCreate');

export const keyUpdate = z
  .strictObject({
    name: name.optional(),
    scopes: scopes.optional(),
    expiresAt: expiresAt.optional(),
    enabled: z.boolean().optional(),
    ipAllowlist: ipAllowlist.optional(),
    metadata: metadata.optional(),
    rateLimits: rateLimits.optional(),
    quota: quota.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'at least one field to change')
  .openapi('KeyUpdate');

export const listQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(64).optional(),
});

export const keyListQuery = listQuery.extend({
  status: z.enum(['active', 'disabled', 'revoked', 'expired', 'exposed']).optional(),
});

export const deliveryListQuery = listQuery.extend({
  status: z.enum(['pending', 'delivered', 'dead']).optional(),
});

export type KeyCreate = z.infer<typeof keyCreate>;
export type KeyUpdate = z.infer<typeof keyUpdate>;

export const usageQuery = z
  .strictObject({
    from: z.iso
      .datetime({ offset: true })
      .optional()
      .openapi({ description: 'Start (default: `to` minus 1 h, 24 h or 30 d by granularity)' }),
    to: z.iso.datetime({ offset: true }).optional().openapi({ description: 'End (default: now)' }),
    granularity: z.enum(['minute', 'hour', 'day']).default('hour'),
    groupBy: z.enum(['route', 'status', 'outcome']).default('outcome'),
  })
  .openapi('UsageQuery');

export type UsageQueryInput = z.infer<typeof usageQuery>;
