// Step 4 as middleware: a non-canonical path is refused before any decision is made on it.

import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { ApiError } from '../errors/problems';
import { nonCanonicalReason, rawPath } from './canonical-path';

export function canonicalPath() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const reason = nonCanonicalReason(rawPath(c.req.url));
    if (reason !== null) throw new ApiError('non-canonical-path', { detail: reason });
    return next();
  });
}
