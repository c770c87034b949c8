// Admin authentication: `Authorization: Bearer $ADMIN_TOKEN`, compared in constant time (both sides
// hashed to equal length first). No token configured ⇒ 503, never an open admin API. A data-plane
// key is just a wrong token here. Wrong tokens are limited per client address
// (ADMIN_AUTH_FAILURE_LIMIT a minute, failure-limiter.ts): past it, an address is refused 429 for any
// token it has not proven — without comparing it, so a guesser learns nothing — while the right
// token, once it has succeeded from that address, keeps working: a flood cannot lock the owner out.

import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env';
import { ApiError } from '../errors/problems';
import { memory } from '../edge/memory';

const encoder = new TextEncoder();

async function digest(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest('SHA-256', encoder.encode(text));
}

function hex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The audit log's name for the holder of `token`: adm_ + the first 12 hex digits of its SHA-256. */
export async function actorId(token: string): Promise<string> {
  const bytes = new Uint8Array(await digest(token));
  return 'adm_' + [...bytes.slice(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const UNAUTHORIZED = { headers: { 'WWW-Authenticate': 'Bearer realm="keygate-admin"' } };

export function adminAuth() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const expected = c.env.ADMIN_TOKEN;
    if (typeof expected !== 'string' || expected.length < 16) {
      throw new ApiError('admin-disabled', { detail: 'Set the ADMIN_TOKEN secret (at least 16 characters) to use the admin API' });
    }
    const ip = c.get('clientIp');
    const now = Date.now();
    const wait = memory.adminFailures.blockedFor(ip, c.get('config').adminAuthFailureLimit, now);
    const match = /^Bearer[ \t]+(\S+)$/i.exec((c.req.header('authorization') ?? '').trim());
    // Both sides hashed to equal length, then compared in constant time.
    const [given, wanted] = await Promise.all([match === null ? undefined : digest(match[1] as string), digest(expected)]);
    const givenHash = given === undefined ? '' : hex(given);
    // Over the limit, only a token this address has proven is compared at all.
    const compare = given !== undefined && (wait === 0 || memory.adminFailures.hasProven(ip, givenHash, now));
    if (!compare || !crypto.subtle.timingSafeEqual(given, wanted)) {
      memory.adminFailures.recordFailure(ip, now);
      if (wait > 0) throw new ApiError('too-many-failures', { headers: { 'Retry-After': String(wait) } });
      throw new ApiError('unauthorized', UNAUTHORIZED);
    }
    memory.adminFailures.recordSuccess(ip, givenHash, now);
    c.set('actor', await actorId(expected));
    return next();
  });
}
