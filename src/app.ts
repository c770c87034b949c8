// The security policy, read top to bottom: each line is one step of the request path (design.md).

import { Hono } from 'hono';
import type { AppEnv } from './app-env';
import { admin } from './admin';
import { docs } from './admin/docs';
import { problemPages } from './admin/problem-pages';
import { ui } from './admin/ui';
import { apiKeyAuth } from './edge/steps/api-key-auth';
import { keyInUrl } from './edge/steps/key-in-url';
import { ipAllowlist, routeAuthorization } from './edge/steps/authorize';
import { methodGuard } from './edge/steps/method-guard';
import { requireHttps } from './edge/steps/require-https';
import { dataPlane, faultResponse, routingPath } from './edge/gateway';
import { canonicalPath } from './edge/steps/canonical-path';
import { pipeline, refuse } from './edge/step';
import { forward } from './edge/proxy/forward';
import { enforceLimits } from './edge/steps/enforce-limits';
import { requestContext } from './edge/request-context';
import { jwks } from './admin/jwks';
import { secretScanning } from './leaks/github-endpoint';

/** Every call outside /_keygate: steps 1 and 13 in gateway.ts, these between them. */
export const gateway = dataPlane(
  pipeline(
    [
      requireHttps, //                             2  plain http ⇒ 403, a key on it ⇒ exposed
      keyInUrl, //                                 5  a key in the URL, however escaped ⇒ 400, exposed (before 4)
      canonicalPath, //                            4  the path authorized is the path forwarded
      methodGuard, //                                 CORS preflight, 405 for other methods
      apiKeyAuth, //                               5–8 credential, format, record, status
      ipAllowlist, //                              9  CF-Connecting-IP against the key's CIDRs
      routeAuthorization, //                       10 route rule and scopes
      enforceLimits, //                            11 rate limits and quota (keys that have them)
    ],
    forward, //                                    12 the origin
  ),
);

/**
 * The Worker, one Hono app. /_keygate and below is the admin plane (the admin API, its documents,
 * the dashboard, leak reports), never proxied; every other path is the data plane. It routes on the
 * path as sent (routingPath): an escaped `/%5Fkeygate` is the data plane's, refused there as
 * non-canonical, and `/_keygatex` is proxied like any other path.
 */
export const app = new Hono<AppEnv>({ getPath: routingPath });

app.use('/_keygate/*', requestContext()); //        1, 2  request id, HSTS on https, config; plain http ⇒ 403
app.route('/_keygate/v1', admin); //               3  the admin API
app.route('/_keygate', docs); //                      its OpenAPI document and docs page
app.route('/', problemPages); //                      a page per problem type, the URIs bodies name
app.get('/_keygate/.well-known/jwks.json', jwks); //   the public key of the origin signature
app.route('/_keygate/secret-scanning', secretScanning); // leak reports, signed by GitHub
app.route('/_keygate', ui); //                        the dashboard
app.all('/_keygate/*', (c) => refuse(c, 'not-found'));
app.all('*', gateway); //                             everything else: the data plane

app.onError((error, c) => faultResponse(error, c.get('requestId')));

/** The Worker's fetch handler. */
export function handle(request: Request, env: AppEnv['Bindings'], ctx: ExecutionContext): Response | Promise<Response> {
  return app.fetch(request, env, ctx);
}
