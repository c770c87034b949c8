// Step 1 for the admin API (/_keygate, behind Hono's router): a request id, the parsed
// configuration, X-Request-Id and HSTS on every response. Never CORS: the owner's token must not
// be usable from a web page. Admin calls are not counted as usage.

import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env';
import { beginRequest, stampResponse } from './gateway';

export function requestContext() {
  return createMiddleware<AppEnv>(async (c, next) => {
    beginRequest(c);
    await next();
    stampResponse(c.res.headers, c.get('requestId'), c.req.url);
  });
}
