// Step 4 as middleware: a non-canonical path or an ambiguously framed message is refused before
// any decision is made on it.

import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { ApiError } from '../errors/problems';
import { ambiguousFramingReason, nonCanonicalReason, rawPath } from './canonical-path';

export function canonicalPath() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const reason = nonCanonicalReason(rawPath(c.req.url));
    if (reason !== null) throw new ApiError('non-canonical-path', { detail: reason });
    const framing = ambiguousFramingReason(c.req.raw.headers);
    if (framing !== null) throw new ApiError('ambiguous-request', { detail: framing });
    return next();
  });
}
