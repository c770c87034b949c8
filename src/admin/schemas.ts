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
  /** Checked against ROUTES by the route (limits.ts): each must name a route rule. */
  routes: z
    .array(z.string().min(1).max(300))
    .min(1)
    .max(20)
    .optional()
    .openapi({ description: 'Route rules this window counts, as usage names them ("POST /forms/:id/attachment"); absent: every call' }),
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
const creditAmount = z.number().int().min(0).max(1_000_000_000);
/** A credit balance: `initial` when first used; refilled at each UTC day or month boundary, `to` or `by` amount. */
const credits = z
  .strictObject({
    initial: creditAmount,
    refill: z
      .strictObject({ period: z.enum(['day', 'month']), mode: z.enum(['to', 'by']), amount: creditAmount })
      .nullable()
      .default(null),
  })
  .nullable();
const holderId = (prefix: string) => z.string().regex(new RegExp(`^${prefix}_[0-9A-Za-z]{20}$`), `a ${prefix}_ id`);
/** Sent to the origin as a header: visible ASCII only (no spaces or control characters). */
const externalId = z.string().regex(/^[\x21-\x7e]{1,200}$/, '1 to 200 visible ASCII characters, no spaces');
const limitFields = { rateLimits: rateLimits.optional(), quota: quota.optional(), credits: credits.optional() };

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
    ...limitFields,
    customerId: holderId('cus')
      .optional()
      .openapi({ description: 'The customer whose limits the key shares (then no limits or plan of its own)' }),
    planId: holderId('pln').optional(),
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
    ...limitFields,
    planId: holderId('pln').nullable().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'at least one field to change')
  .openapi('KeyUpdate');

export const planCreate = z
  .strictObject({
    name,
    scopes: scopes.default([]),
    rateLimits: rateLimits.default([]),
    quota: quota.default(null),
    credits: credits.default(null),
  })
  .openapi('PlanCreate');

export const planUpdate = z
  .strictObject({ name: name.optional(), scopes: scopes.optional(), ...limitFields })
  .refine((v) => Object.keys(v).length > 0, 'at least one field to change')
  .openapi('PlanUpdate');

export const customerCreate = z
  .strictObject({
    externalId,
    name,
    metadata: metadata.default({}),
    planId: holderId('pln').nullable().default(null),
    rateLimits: rateLimits.default([]),
    quota: quota.default(null),
    credits: credits.default(null),
  })
  .openapi('CustomerCreate');

export const customerUpdate = z
  .strictObject({
    externalId: externalId.optional(),
    name: name.optional(),
    metadata: metadata.optional(),
    planId: holderId('pln').nullable().optional(),
    ...limitFields,
  })
  .refine((v) => Object.keys(v).length > 0, 'at least one field to change')
  .openapi('CustomerUpdate');

/** Exactly one of `set` (the balance becomes it) and `add` (added; negative takes away, never below 0). */
export const creditsChange = z
  .strictObject({ set: creditAmount.optional(), add: z.number().int().min(-1_000_000_000).max(1_000_000_000).optional() })
  .refine((v) => (v.set === undefined) !== (v.add === undefined), 'exactly one of set and add')
  .openapi('CreditsChange');

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
    groupBy: z.enum(['route', 'status', 'outcome', 'result']).default('outcome').openapi({
      description: '`result`: the outcome, with allowed calls the origin answered 4xx or 5xx counted as `origin-4xx` or `origin-5xx`',
    }),
  })
  .openapi('UsageQuery');

export type UsageQueryInput = z.infer<typeof usageQuery>;

/** The span of a traffic read: the usage query's, without groupBy. */
export const trafficQuery = usageQuery.omit({ groupBy: true }).openapi('TrafficQuery');

/** A request-log page, narrowed: every filter given must match. */
export const requestListQuery = listQuery
  .extend({
    status: z
      .string()
      .regex(/^[1-5](\d\d|xx)$/, 'a status (404) or a status class (4xx)')
      .optional(),
    outcome: z
      .string()
      .regex(/^[a-z0-9-]{1,64}$/, 'an outcome: "allowed", "preflight" or a problem type')
      .optional(),
    route: z
      .string()
      .min(1)
      .max(300)
      .optional()
      .openapi({ description: 'A route rule as usage names it; `-` for calls that matched none' }),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    requestId: z.uuid('a request id (a UUID, as in the X-Request-Id header)').optional(),
  })
  .openapi('RequestListQuery');

/** A new verify token: its name (the secret is made by keygate and shown once). */
export const verifyTokenCreate = z.strictObject({ name: z.string().trim().min(1).max(200) }).openapi('VerifyTokenCreate');
