// Before authentication: CORS preflights are answered (browsers never attach credentials to them),
// and methods outside the allowlist (TRACE, CONNECT, WebDAV…) get 405 with Allow.

import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { ApiError } from '../errors/problems';
import { isPreflight, preflightResponse } from './cors';
import { METHODS } from './routes';

const ALLOW = METHODS.join(', ');

export function methodGuard() {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (isPreflight(c.req.raw)) {
      const origin = c.req.header('origin') as string;
      if (!c.var.config.cors.origins.has(origin)) throw new ApiError('cors-origin-not-allowed');
      return preflightResponse(origin, c.var.requestId);
    }
    if (!(METHODS as readonly string[]).includes(c.req.method)) {
      throw new ApiError('method-not-allowed', { headers: { Allow: ALLOW } });
    }
    return next();
  });
}
