// Admin: keys. A new key's plaintext is in the 201 answer and nowhere else — it is hashed here,
// and only the hash reaches the registry and KV.

import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { ApiError } from '../errors/problems';
import { generateKey, keyStart } from '../keys/format';
import { hashKey } from '../keys/hash';
import { evictCachedKey } from '../keys/verify';
import { encodeCursor, registry } from '../registry/client';
import type { KeyView } from '../registry/views';
import type { KeyChanged } from '../registry/registry-do';
import { afterCursor } from './projects';
import { keyCreate, keyListQuery, keyUpdate } from './schemas';
import { jsonBody, query } from './validate';

export const projectKeys = new Hono<AppEnv>();
export const keys = new Hono<AppEnv>();

/** Epoch ms of an ISO time that must lie in the future, or 400 naming the field. */
function futureTime(iso: string | null | undefined, now: number): number | null | undefined {
  if (iso === undefined || iso === null) return iso;
  const ms = Date.parse(iso);
  if (!(ms > now)) throw new ApiError('validation-failed', { errors: [{ path: 'expiresAt', message: 'must be in the future' }] });
  return ms;
}

function found<T>(value: T | null, what = 'key'): T {
  if (value === null) throw new ApiError('not-found', { detail: `No such ${what}` });
  return value;
}

/** The view of a changed key, after dropping this isolate's cached copy of it. */
function applied(value: KeyChanged | 'revoked' | null): KeyView {
  if (value === 'revoked') throw new ApiError('conflict', { detail: 'The key is revoked; revocation is permanent' });
  const { view, hash } = found(value);
  evictCachedKey(hash);
  return view;
}

projectKeys.post('/:projectId/keys', async (c) => {
  const input = await jsonBody(c, keyCreate);
  const now = Date.now();
  const expiresAt = futureTime(input.expiresAt, now) ?? null;
  const plaintext = generateKey(c.get('config').keyPrefix, input.environment);
  const hash = await hashKey(plaintext);
  const created = await registry(c.env).createKey(
    c.req.param('projectId'),
    {
      name: input.name,
      scopes: input.scopes,
      environment: input.environment,
      expiresAt,
      ipAllowlist: input.ipAllowlist?.length ? input.ipAllowlist : null,
      metadata: input.metadata ?? {},
    },
    hash,
    keyStart(plaintext, c.get('config').keyPrefix),
    now,
  );
  const view = applied(found(created, 'project'));
  c.header('Location', `/_keygate/v1/keys/${view.id}`);
  return c.json({ key: plaintext, ...view }, 201);
});

projectKeys.get('/:projectId/keys', async (c) => {
  const { limit, cursor, status } = query(c, keyListQuery);
  const page = found(await registry(c.env).listKeys(c.req.param('projectId'), limit, afterCursor(cursor), Date.now(), status), 'project');
  return c.json({ items: page.items, nextCursor: encodeCursor(page.nextAfter) });
});

keys.get('/:keyId', async (c) => {
  return c.json(found(await registry(c.env).getKey(c.req.param('keyId'), Date.now())));
});

keys.patch('/:keyId', async (c) => {
  const input = await jsonBody(c, keyUpdate);
  const now = Date.now();
  const change = {
    ...input,
    expiresAt: futureTime(input.expiresAt, now),
    ipAllowlist: input.ipAllowlist === undefined ? undefined : input.ipAllowlist.length ? input.ipAllowlist : null,
  };
  return c.json(applied(await registry(c.env).updateKey(c.req.param('keyId'), change, now)));
});

keys.post('/:keyId/revoke', async (c) => {
  return c.json(applied(await registry(c.env).revokeKey(c.req.param('keyId'), Date.now())));
});
