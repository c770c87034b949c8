// The security policy, read top to bottom: each line is one step of the request path (design.md).

import { Hono } from 'hono';
import type { AppEnv } from './app-env';
import { admin } from './admin';
import { docs } from './admin/docs';
import { problemPages } from './admin/problem-pages';
import { ui } from './admin/ui';
import { dataPlane, faultResponse, routingPath } from './edge/gateway';
import { pipeline, refuse } from './edge/step';
import { decision } from './edge/decision';
import { forward } from './edge/proxy/forward';
import { requestContext } from './edge/request-context';
import { jwks } from './admin/jwks';
import { secretScanning } from './leaks/github-endpoint';

/** Every call outside /_keygate: steps 1 and 13 in gateway.ts, the decision (2–11, edge/decision.ts) between them. */
export const gateway = dataPlane(
  pipeline(
    decision, //                                   2–11 the decision, shared with the verifiers (src/verify)
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
