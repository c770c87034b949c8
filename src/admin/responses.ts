// What the admin API answers, as zod schemas: the routes' response schemas, hence the document's.
// Strict objects, so the conformance test catches any field the document does not name. Project and
// Key live in core/admin-views.ts (the registry builds them).

import { z } from '@hono/zod-openapi';
import { Customer, Key, Plan, Project, isoTime } from '../core/admin-views';

export { Customer, Key, Plan, Project };

// A standalone object (not Key.extend): an allOf of two strict objects would admit nothing.
export const KeyCreated = z
  .strictObject({
    key: z.string().openapi({ description: 'The plaintext key. Shown in this answer only: store it safely.' }),
    ...Key.shape,
  })
  .openapi('KeyCreated');

const cursor = z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last page' });

/** A page of a list: its items and the cursor of the next page. */
function pageOf<T extends z.ZodType>(item: T, name: string) {
  return z.strictObject({ items: z.array(item), nextCursor: cursor }).openapi(name);
}

/** A page as the API answers it (the CLI and the dashboard read pages through this type). */
export type Page<T> = { items: T[]; nextCursor: string | null };

export const ProjectPage = pageOf(Project, 'ProjectPage');
export const KeyPage = pageOf(Key, 'KeyPage');
export const PlanPage = pageOf(Plan, 'PlanPage');
export const CustomerPage = pageOf(Customer, 'CustomerPage');
export const CreditBalance = z
  .strictObject({ balance: z.number().int().openapi({ description: 'The balance after the change (exact)' }) })
  .openapi('CreditBalance');

export const AuditEntry = z
  .strictObject({
    seq: z.number().int(),
    at: isoTime,
    actor: z.string(),
    action: z.string(),
    target: z.string(),
    changes: z.record(z.string(), z.unknown()),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .openapi('AuditEntry');

export const AuditPage = z
  .strictObject({
    items: z.array(AuditEntry),
    nextCursor: cursor,
    chain: z.strictObject({ verified: z.boolean(), entries: z.number().int(), brokenAt: z.number().int().nullable() }),
  })
  .openapi('AuditPage');

export const Version = z
  .strictObject({ version: z.string().openapi({ description: 'The keygate release (package.json `version`)' }) })
  .openapi('Version');

export const Problem = z
  .object({
    type: z.string().openapi({
      format: 'uri-reference',
      description: 'The problem type: the path of its page on this keygate, which explains it and its fix',
      example: '/_keygate/problems/validation-failed',
    }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    requestId: z.string(),
    errors: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

const counts = z.record(z.string(), z.number().int());

export const Usage = z
  .strictObject({
    keyId: z.string().nullable().openapi({ description: 'Set for a key’s usage' }),
    projectId: z.string().nullable().openapi({ description: 'Set for a project’s (and a key’s) usage' }),
    from: isoTime.openapi({ description: 'Start of the first bucket' }),
    to: isoTime.openapi({ description: 'End of the last bucket (exclusive)' }),
    granularity: z.enum(['minute', 'hour', 'day']),
    groupBy: z.enum(['route', 'status', 'outcome', 'result']),
    total: z.number().int(),
    byOutcome: counts.openapi({ description: '"allowed", "preflight", or the problem type answered' }),
    byStatus: counts.openapi({ description: 'By status class: 2xx, 3xx, 4xx, 5xx' }),
    denials: counts.openapi({ description: 'Refused calls by reason (for the gateway: also calls without a known key)' }),
    series: z.array(
      z.strictObject({ start: isoTime, total: z.number().int(), groups: counts.openapi({ description: 'Counts by `groupBy`' }) }),
    ),
    topRoutes: z.array(z.strictObject({ route: z.string().nullable(), count: z.number().int() })),
    topKeys: z.array(z.strictObject({ keyId: z.string(), count: z.number().int() })),
  })
  .openapi('Usage');

export const RequestLogEntry = z
  .strictObject({
    at: isoTime,
    requestId: z.string(),
    keyId: z.string().openapi({ description: 'The key that made the call (a customer’s log holds several)' }),
    method: z.string(),
    path: z.string().openapi({ description: 'Without the query string' }),
    route: z.string().nullable(),
    status: z.number().int(),
    latencyMs: z.number().int(),
    clientIp: z.string(),
    country: z.string().nullable(),
    userAgent: z.string().nullable(),
    outcome: z.string(),
  })
  .openapi('RequestLogEntry');

export const RequestLogPage = pageOf(RequestLogEntry, 'RequestLogPage');

const ranking = z.array(z.strictObject({ value: z.string(), count: z.number().int() }));

export const Traffic = z
  .strictObject({
    keyId: z.string().nullable().openapi({ description: 'Set for a key’s traffic' }),
    customerId: z.string().nullable().openapi({ description: 'Set for a customer’s traffic' }),
    projectId: z.string(),
    from: isoTime,
    to: isoTime,
    granularity: z.enum(['minute', 'hour', 'day']),
    sampled: z.number().int().openapi({
      description: 'Request-log entries these figures come from: the newest 1,000 per usage shard in the span (the log keeps 7 days)',
    }),
    latency: z
      .array(
        z.strictObject({
          start: isoTime,
          count: z.number().int(),
          p50: z.number().int().nullable(),
          p95: z.number().int().nullable(),
          p99: z.number().int().nullable(),
        }),
      )
      .openapi({ description: 'Latency percentiles (ms, nearest rank) per bucket; null where the bucket has no entry' }),
    clientIps: ranking.openapi({ description: 'Top client IPs (CF-Connecting-IP)' }),
    countries: ranking.openapi({ description: 'Top countries (request.cf.country; "unknown" where none)' }),
    userAgents: ranking.openapi({ description: 'Top User-Agent values ("(none)" where absent)' }),
  })
  .openapi('Traffic');

export const Delivery = z
  .strictObject({
    id: z
      .string()
      .regex(/^msg_[0-9A-Za-z]+$/)
      .openapi({ description: 'The webhook-id, the same on every attempt' }),
    type: z.enum([
      'key.created',
      'key.revoked',
      'key.exposed',
      'key.expiring',
      'quota.low',
      'quota.exhausted',
      'customer.quota.low',
      'customer.quota.exhausted',
    ]),
    status: z.enum(['pending', 'delivered', 'dead']),
    attempts: z.number().int(),
    createdAt: isoTime,
    nextAttemptAt: isoTime.nullable(),
    lastAttemptAt: isoTime.nullable(),
    lastStatus: z.number().int().nullable().openapi({ description: 'HTTP status of the last attempt; null for none or a network error' }),
    lastError: z.string().nullable(),
    deliveredAt: isoTime.nullable(),
    payload: z.strictObject({ type: z.string(), timestamp: isoTime, data: z.record(z.string(), z.unknown()) }),
  })
  .openapi('WebhookDelivery');

export const DeliveryPage = pageOf(Delivery, 'WebhookDeliveryPage');

export type DeliveryView = z.infer<typeof Delivery>;

/** A verify token as listed: never its secret (stored only as a hash). */
export const VerifyToken = z
  .strictObject({
    id: z.string().regex(/^vtk_[0-9A-Za-z]{20}$/),
    projectId: z.string(),
    name: z.string(),
    start: z.string().openapi({ description: 'The first 12 characters of the token, to tell tokens apart' }),
    status: z.enum(['active', 'revoked']),
    createdAt: isoTime,
    revokedAt: isoTime.nullable(),
  })
  .openapi('VerifyToken');

export const VerifyTokenCreated = z
  .strictObject({
    token: z.string().openapi({ description: 'The token. Shown in this answer only: store it where the verifier runs.' }),
    ...VerifyToken.shape,
  })
  .openapi('VerifyTokenCreated');

export const VerifyTokenPage = pageOf(VerifyToken, 'VerifyTokenPage');

const RateLimitPolicy = z.strictObject({
  policy: z.string(),
  window: z.number().int(),
  limit: z.number().int(),
  remaining: z.number().int(),
  reset: z.number().int(),
});

/** The decision on a described call (src/verify/outcome.ts). */
export const VerifyResult = z
  .strictObject({
    valid: z.boolean(),
    code: z.string().openapi({ description: '`allowed`, or the problem type the proxy would have answered', example: 'allowed' }),
    keyId: z.string().nullable(),
    projectId: z.string().nullable(),
    customerId: z.string().optional(),
    externalId: z.string().optional(),
    environment: z.enum(['live', 'test']).nullable(),
    scopes: z.array(z.string()),
    ratelimit: z.strictObject({ policies: z.array(RateLimitPolicy), retryAfter: z.number().int().nullable() }).nullable(),
    requestId: z.string(),
    refusal: z
      .strictObject({ status: z.number().int(), problem: z.record(z.string(), z.unknown()), headers: z.record(z.string(), z.string()) })
      .nullable()
      .openapi({ description: 'On refusal: the answer the proxy would have given (status, problem+json body, headers)' }),
  })
  .openapi('VerifyResult');
