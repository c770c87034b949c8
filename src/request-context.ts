// Step 1 of the request path: a request id, the parsed configuration, and the headers every
// response gets (X-Request-Id; HSTS on https only, per RFC 6797 §7.2; CORS for allowed origins).
// After the response, every data-plane call (not the admin API) is handed to usage (step 13).

import { createMiddleware } from 'hono/factory';
import { applyCorsHeaders } from './auth/cors';
import { configFor, type AppEnv } from './env';
import { setLogLevel } from './log';
import { recordCall } from './usage/recorder';

function isAdminPath(url: string): boolean {
  return url.indexOf('/_keygate', url.indexOf('//') + 2) === url.indexOf('/', url.indexOf('//') + 2);
}

export const HSTS = 'max-age=63072000; includeSubDomains';

export function requestContext() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const startedAt = Date.now();
    c.set('requestId', crypto.randomUUID());
    c.set('clientIp', c.req.header('cf-connecting-ip') ?? '');
    const config = configFor(c.env);
    c.set('config', config);
    setLogLevel(config.logLevel);
    await next();
    const headers = c.res.headers;
    headers.set('X-Request-Id', c.get('requestId'));
    if (c.req.url.startsWith('https:')) headers.set('Strict-Transport-Security', HSTS);
    // The admin API is never CORS-enabled: the owner's token must not be usable from a web page.
    if (isAdminPath(c.req.url)) return;
    const origin = c.req.header('origin');
    if (origin !== undefined && config.cors.origins.has(origin)) applyCorsHeaders(headers, origin);
    recordCall(c, startedAt); //                  13 usage, after the response (batched)
  });
}
