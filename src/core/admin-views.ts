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
    rateLimits: z.array(z.strictObject({ name: z.string(), limit: z.number().int(), windowSeconds: z.number().int() })),
    quota: z
      .strictObject({
        limit: z.number().int(),
        period: z.enum(['day', 'month']),
        remaining: z.number().int().openapi({ description: 'Exact: calls left in the current period' }),
      })
      .nullable(),
    ipAllowlist: z.array(z.string()),
    metadata: stringMap,
  })
  .openapi('Key');

export type ProjectView = z.infer<typeof Project>;
export type KeyView = z.infer<typeof Key>;
export type KeyStatus = KeyView['status'];
export type ExposedReason = NonNullable<KeyView['exposedReason']>;

/**
 * A key as the registry knows it: the API's Key but for its quota's `remaining`, which only the
 * key's limiter knows (the admin API adds it).
 */
export type RegistryKeyView = Omit<KeyView, 'quota'> & { quota: Omit<NonNullable<KeyView['quota']>, 'remaining'> | null };
