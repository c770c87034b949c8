// Admin authentication: `Authorization: Bearer $ADMIN_TOKEN`, compared in constant time (both sides
// hashed to equal length first). No token configured ⇒ 503, never an open admin API. A data-plane
// key is just a wrong token here.

import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { ApiError } from '../errors/problems';

const encoder = new TextEncoder();

async function digest(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest('SHA-256', encoder.encode(text));
}

/** The audit log's name for the holder of `token`: adm_ + the first 12 hex digits of its SHA-256. */
export async function actorId(token: string): Promise<string> {
  const bytes = new Uint8Array(await digest(token));
  return 'adm_' + [...bytes.slice(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Constant-time equality of two strings of any length. */
export async function tokensEqual(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([digest(given), digest(expected)]);
  return crypto.subtle.timingSafeEqual(a, b);
}

export function adminAuth() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const expected = c.env.ADMIN_TOKEN;
    if (typeof expected !== 'string' || expected.length < 16) {
      throw new ApiError('admin-disabled', { detail: 'Set the ADMIN_TOKEN secret (at least 16 characters) to use the admin API' });
    }
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer[ \t]+(\S+)$/i.exec(header.trim());
    if (match === null || !(await tokensEqual(match[1] as string, expected))) {
      throw new ApiError('unauthorized', { headers: { 'WWW-Authenticate': 'Bearer realm="keygate-admin"' } });
    }
    c.set('actor', await actorId(expected));
    return next();
  });
}
