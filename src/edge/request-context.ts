// Steps 1 and 2 for the admin plane (/_keygate and below, app.ts): a request id, the parsed
// configuration, X-Request-Id and HSTS on every response, and plain http refused (the data plane
// runs requireHttps in its own pipeline). Never CORS: the owner's token must not be usable from a
// web page. Admin calls are not counted as usage.

import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env';
import { beginRequest } from './gateway';
import { stampResponse } from './step';
import { requireHttps } from './steps/require-https';

export function requestContext() {
  return createMiddleware<AppEnv>(async (c, next) => {
    beginRequest(c);
    const refused = await requireHttps(c);
    if (refused === undefined) await next();
    else c.res = refused;
    // A refusal built by refuse() carries them already (step.ts), as on the data plane.
    if (c.get('stamped') !== c.res) stampResponse(c.res.headers, c.get('requestId'), c.req.url);
  });
}
