// Step 2: HTTPS only. A plain-http request is refused with 403 — never redirected, because a
// redirect teaches clients that http works while their key has already crossed the network in
// clear. Any key it carried (header or URL) is reported exposed before answering.

import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { ApiError } from '../errors/problems';
import { extractCredential, findKeyInUrl } from './credential';
import { reportExposure } from './exposure';

export function requireHttps() {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (c.req.url.startsWith('https:')) return next();
    const candidates = findKeyInUrl(c.req.url, c.var.config.keyPrefix).keys;
    const header = extractCredential(c.req.raw.headers);
    if (header.ok) candidates.push(header.key);
    if (candidates.length === 0) throw new ApiError('https-required', { detail: 'Send API calls over https://' });
    await reportExposure(c, candidates, 'http');
    throw new ApiError('https-required', { detail: 'The API key crossed the network in clear text; it is treated as exposed' });
  });
}
