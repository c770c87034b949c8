// Admin: keys. A new key's plaintext is in the 201 answer and nowhere else — it is hashed here,
// and only the hash reaches the registry and KV. Every change is applied to this isolate's view at
// once (the next request here is already refused) and reaches other isolates through the feed.

import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import { ApiError } from '../errors/problems';
import { generateKey, keyStart, type Environment } from '../core/key-format';
import { hashKey } from '../core/key-hash';
import { registry } from '../objects/registry/client';
import { encodeCursor } from '../objects/page';
import type { KeyChanged, RotateRefusal } from '../objects/registry/types';
import type { HolderRefusal } from '../objects/registry/holders';
import type { KeyView, RegistryKeyView } from '../core/admin-views';
import { Key, KeyCreated, KeyPage } from './responses';
import { adminRoute, json, jsonBody, keyId, projectId } from './route';
import { keyCreate, keyListQuery, keyRotate, keyUpdate } from './schemas';
import { afterCursor, found, invalid } from './validate';
import { applyChanged, checkRoutes, keyWithReadings, refused } from './limits';

export const keys = new OpenAPIHono<AppEnv>();

/** Epoch ms of an ISO time that must lie in the future, or 400 naming the field. */
function futureTime(iso: string | null | undefined, now: number): number | null | undefined {
  if (iso === undefined || iso === null) return iso;
  const ms = Date.parse(iso);
  if (!(ms > now)) throw invalid('expiresAt', 'must be in the future');
  return ms;
}

/** The registry's answer to a change, or the problem it stands for (404, 400 naming a field, or 409 for a revoked key). */
function accepted<T extends object>(value: T | 'revoked' | null): Exclude<T, HolderRefusal> {
  if (value === 'revoked') throw new ApiError('conflict', { detail: 'The key is revoked; revocation is permanent' });
  return refused(found(value, 'key'));
}

/** Applies a change to this isolate's view and returns what the API shows. */
function applied(value: KeyChanged | HolderRefusal | 'revoked' | null, now = Date.now()): RegistryKeyView {
  const changed = accepted(value);
  applyChanged([changed], now);
  return changed.view;
}

/** The view with its quota's exact `remaining` and its credit balance, from the key's limiter. */
function withRemaining(c: Context<AppEnv>, view: RegistryKeyView): Promise<KeyView> {
  return keyWithReadings(c, view);
}

/** A fresh key: the plaintext (returned once), its hash and display start. */
async function newKey(c: Context<AppEnv>, environment: Environment): Promise<{ plaintext: string; hash: string; start: string }> {
  const prefix = c.get('config').keyPrefix;
  const plaintext = generateKey(prefix, environment);
  return { plaintext, hash: await hashKey(plaintext), start: keyStart(plaintext, prefix) };
}

/** The 201 answer for a new key: its plaintext (this once) and its view, with Location set. */
async function created(c: Context<AppEnv>, plaintext: string, view: RegistryKeyView) {
  c.header('Location', `/_keygate/v1/keys/${view.id}`);
  // A key of its own meter has used nothing yet (no need to ask its limiter); a customer's or a
  // rotated key's meter has, and is read.
  const fresh = view.meter === view.id;
  return { key: plaintext, ...(await keyWithReadings(c, view, fresh)) };
}

keys.openapi(
  adminRoute(
    {
      method: 'post',
      path: '/projects/{projectId}/keys',
      summary: 'Create a key (the plaintext is in this answer only)',
      request: { params: projectId, body: jsonBody(keyCreate) },
      responses: { 201: json(KeyCreated, 'The key, with its plaintext') },
    },
    [400, 404, 413, 415],
  ),
  async (c) => {
    const input = c.req.valid('json');
    const now = Date.now();
    const expiresAt = futureTime(input.expiresAt, now) ?? null;
    checkRoutes(c, input.rateLimits);
    const { plaintext, hash, start } = await newKey(c, input.environment);
    const fields = {
      name: input.name,
      scopes: input.scopes,
      environment: input.environment,
      expiresAt,
      ipAllowlist: input.ipAllowlist?.length ? input.ipAllowlist : null,
      metadata: input.metadata ?? {},
      rateLimits: input.rateLimits ?? [],
      quota: input.quota ?? null,
      credits: input.credits ?? null,
      customerId: input.customerId ?? null,
      planId: input.planId ?? null,
    };
    const result = await registry(c.env).createKey(c.req.valid('param').projectId, fields, hash, start, c.get('actor'), now);
    return c.json(await created(c, plaintext, applied(found(result, 'project'), now)), 201);
  },
);

keys.openapi(
  adminRoute(
    {
      method: 'get',
      path: '/projects/{projectId}/keys',
      summary: "List a project's keys",
      request: { params: projectId, query: keyListQuery },
      responses: { 200: json(KeyPage, 'A page of keys') },
    },
    [400, 404],
  ),
  async (c) => {
    const { limit, cursor, status } = c.req.valid('query');
    const listed = await registry(c.env).listKeys(c.req.valid('param').projectId, limit, afterCursor(cursor), Date.now(), status);
    const page = found(listed, 'project');
    return c.json(
      { items: await Promise.all(page.items.map((view) => withRemaining(c, view))), nextCursor: encodeCursor(page.nextAfter) },
      200,
    );
  },
);

keys.openapi(
  adminRoute(
    {
      method: 'get',
      path: '/keys/{keyId}',
      summary: 'Get a key',
      request: { params: keyId },
      responses: { 200: json(Key, 'The key') },
    },
    [404],
  ),
  async (c) => c.json(await withRemaining(c, found(await registry(c.env).getKey(c.req.valid('param').keyId, Date.now()), 'key')), 200),
);

keys.openapi(
  adminRoute(
    {
      method: 'patch',
      path: '/keys/{keyId}',
      summary: 'Change a key (name, scopes, expiry, enabled, IP allowlist, metadata, limits, credits, plan)',
      request: { params: keyId, body: jsonBody(keyUpdate) },
      responses: { 200: json(Key, 'The key') },
    },
    [400, 404, 409, 413, 415],
  ),
  async (c) => {
    const input = c.req.valid('json');
    const now = Date.now();
    checkRoutes(c, input.rateLimits);
    const change = {
      ...input,
      expiresAt: futureTime(input.expiresAt, now),
      ipAllowlist: input.ipAllowlist === undefined ? undefined : input.ipAllowlist.length ? input.ipAllowlist : null,
    };
    const result = await registry(c.env).updateKey(c.req.valid('param').keyId, change, c.get('actor'), now);
    return c.json(await withRemaining(c, applied(result, now)), 200);
  },
);

keys.openapi(
  adminRoute(
    {
      method: 'post',
      path: '/keys/{keyId}/revoke',
      summary: 'Revoke a key (permanent)',
      request: { params: keyId },
      responses: { 200: json(Key, 'The revoked key') },
    },
    [404],
  ),
  async (c) => {
    const now = Date.now();
    const result = await registry(c.env).revokeKey(c.req.valid('param').keyId, c.get('actor'), now);
    return c.json(await withRemaining(c, applied(result, now)), 200);
  },
);

/** 409 details for a key that cannot be rotated: only an active key that was never rotated can. */
const NOT_ROTATABLE: Record<RotateRefusal, string> = {
  revoked: 'The key is revoked; revocation is permanent',
  rotated: 'The key was already rotated; rotate its successor (rotatedTo) instead',
  disabled: 'The key is disabled; enable it before rotating it, or create a new key',
  expired: 'The key has expired; create a new key instead',
};

keys.openapi(
  adminRoute(
    {
      method: 'post',
      path: '/keys/{keyId}/rotate',
      summary: 'Rotate a key: a new key now, the old one until the grace period ends',
      request: { params: keyId, body: jsonBody(keyRotate) },
      responses: { 201: json(KeyCreated, 'The new key, with its plaintext') },
    },
    [400, 404, 409, 413, 415],
  ),
  async (c) => {
    const { gracePeriodSeconds } = c.req.valid('json');
    const now = Date.now();
    const id = c.req.valid('param').keyId;
    const current = found(await registry(c.env).getKey(id, now), 'key');
    const { plaintext, hash, start } = await newKey(c, current.environment);
    const result = found(await registry(c.env).rotateKey(id, gracePeriodSeconds, hash, start, c.get('actor'), now), 'key');
    if (typeof result === 'string') throw new ApiError('conflict', { detail: NOT_ROTATABLE[result] });
    applied(result.old, now);
    return c.json(await created(c, plaintext, applied(result.created, now)), 201);
  },
);
