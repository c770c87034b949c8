// Steps 2–11 of the request path (design.md): the decision on a call, the same for the data plane
// (app.ts runs it before forwarding) and for the verifiers (src/verify: RPC, HTTP, Envoy ext_authz),
// which run it without proxying. One list, so the two cannot drift.

import { apiKeyAuth } from './steps/api-key-auth';
import { keyInUrl } from './steps/key-in-url';
import { ipAllowlist, routeAuthorization } from './steps/authorize';
import { methodGuard } from './steps/method-guard';
import { requireHttps } from './steps/require-https';
import { canonicalPath } from './steps/canonical-path';
import { enforceLimits } from './steps/enforce-limits';
import type { Step } from './step';

export const decision: readonly Step[] = [
  requireHttps, //                               2  plain http ⇒ 403, a key on it ⇒ exposed
  keyInUrl, //                                   5  a key in the URL, however escaped ⇒ 400, exposed (before 4)
  canonicalPath, //                              4  the path authorized is the path forwarded
  methodGuard, //                                   CORS preflight, 405 for other methods
  apiKeyAuth, //                                 5–8 credential, format, record, status
  ipAllowlist, //                                9  CF-Connecting-IP against the key's CIDRs
  routeAuthorization, //                         10 route rule and scopes
  enforceLimits, //                              11 rate limits and quota (keys that have them)
];
