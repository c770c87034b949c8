// A project and a key as the admin API shows them: the zod schemas are the document's response
// schemas and their z.infer the types the registry builds, so the two cannot drift. Here, not in
// admin/, because the registry object (objects/) builds these views and may not import admin/.

import { z } from '@hono/zod-openapi';

export const isoTime = z.iso.datetime();
export const stringMap = z.record(z.string(), z.string());

export const Project = z
  .strictObject({
    id: z.string().regex(/^prj_[0-9A-Za-z]{20}$/),
    name: z.string(),
    description: z.string().nullable(),
    metadata: stringMap,
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .openapi('Project');

const rateLimitView = z.strictObject({
  name: z.string(),
  limit: z.number().int(),
  windowSeconds: z.number().int(),
  routes: z.array(z.string()).optional().openapi({ description: 'The route rules this window counts (absent: every call)' }),
});
const refillView = z
  .strictObject({ period: z.enum(['day', 'month']), mode: z.enum(['to', 'by']), amount: z.number().int() })
  .nullable()
  .openapi({ description: 'At each UTC day or month boundary: `to` sets the balance to amount, `by` adds amount' });
const creditsConfig = z.strictObject({ initial: z.number().int(), refill: refillView });
const quotaConfig = z.strictObject({ limit: z.number().int(), period: z.enum(['day', 'month']) });
/** A quota with the calls left in its period, and credits with their balance: exact, from the holder's limiter. */
const quotaRead = quotaConfig.extend({ remaining: z.number().int() }).nullable();
const creditsRead = creditsConfig.extend({ balance: z.number().int() }).nullable();
/** What applies to a holder's calls, each field its own where set, else its plan's. */
const effectiveView = (description: string) =>
  z.strictObject({ rateLimits: z.array(rateLimitView), quota: quotaRead, credits: creditsRead }).openapi({ description });

export const Plan = z
  .strictObject({
    id: z.string().regex(/^pln_[0-9A-Za-z]{20}$/),
    projectId: z.string(),
    name: z.string(),
    scopes: z.array(z.string()).openapi({ description: 'Scopes of a key under this plan that has none of its own' }),
    rateLimits: z.array(rateLimitView),
    quota: quotaConfig.nullable(),
    credits: creditsConfig.nullable(),
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .openapi('Plan');

export const Customer = z
  .strictObject({
    id: z.string().regex(/^cus_[0-9A-Za-z]{20}$/),
    projectId: z.string(),
    externalId: z.string(),
    name: z.string(),
    metadata: stringMap,
    planId: z.string().nullable(),
    rateLimits: z.array(rateLimitView),
    quota: quotaRead,
    credits: creditsRead,
    effective: effectiveView("What applies to the customer's keys: its own limits where set, else its plan's"),
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .openapi('Customer');

export const Key = z
  .strictObject({
    id: z.string().regex(/^key_[0-9A-Za-z]{20}$/),
    projectId: z.string(),
    name: z.string(),
    start: z
      .string()
      .openapi({ description: 'The first 12 characters after the prefix, for telling keys apart; never enough to use the key' }),
    environment: z.enum(['live', 'test']),
    scopes: z.array(z.string()),
    status: z.enum(['active', 'disabled', 'revoked', 'expired']),
    exposed: z.boolean(),
    exposedReason: z
      .enum(['http', 'url', 'leak'])
      .nullable()
      .openapi({ description: 'Why the key is exposed: seen over plain http, in a URL, or reported leaked by a secret scanner' }),
    createdAt: isoTime,
    updatedAt: isoTime,
    expiresAt: isoTime.nullable(),
    lastUsedAt: isoTime.nullable(),
    revokedAt: isoTime.nullable(),
    rotatedFrom: z.string().nullable(),
    rotatedTo: z.string().nullable(),
    customerId: z.string().nullable(),
    planId: z.string().nullable(),
    rateLimits: z.array(rateLimitView),
    quota: z
      .strictObject({
        limit: z.number().int(),
        period: z.enum(['day', 'month']),
        remaining: z.number().int().openapi({ description: 'Exact: calls left in the current period' }),
      })
      .nullable(),
    credits: creditsRead,
    effective: effectiveView(
      "What applies to the key's calls: its customer's limits if it has one, else its own; each the holder's own where set, else its plan's",
    ),
    ipAllowlist: z.array(z.string()),
    metadata: stringMap,
  })
  .openapi('Key');

export type ProjectView = z.infer<typeof Project>;
export type PlanView = z.infer<typeof Plan>;
export type CustomerView = z.infer<typeof Customer>;
/** A customer as the registry knows it: without what only its limiter knows (quota remaining, balance). */
export type RegistryCustomerView = Omit<CustomerView, 'quota' | 'credits' | 'effective'> & {
  quota: Omit<NonNullable<CustomerView['quota']>, 'remaining'> | null;
  credits: Omit<NonNullable<CustomerView['credits']>, 'balance'> | null;
  effective: { rateLimits: CustomerView['rateLimits']; quota: RegistryCustomerView['quota']; credits: RegistryCustomerView['credits'] };
};
export type KeyView = z.infer<typeof Key>;
export type KeyStatus = KeyView['status'];
export type ExposedReason = NonNullable<KeyView['exposedReason']>;

/**
 * A key as the registry knows it: the API's Key but for its quota's `remaining`, which only the
 * key's limiter knows (the admin API adds it).
 */
export type RegistryKeyView = Omit<KeyView, 'quota' | 'credits' | 'effective'> & {
  quota: Omit<NonNullable<KeyView['quota']>, 'remaining'> | null;
  credits: Omit<NonNullable<KeyView['credits']>, 'balance'> | null;
  effective: { rateLimits: KeyView['rateLimits']; quota: RegistryKeyView['quota']; credits: RegistryKeyView['credits'] };
  /** The limiter counting the key's calls (its customer, its rotation line, or itself); never shown. */
  meter: string;
};
