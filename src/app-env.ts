// The Worker's bindings and the per-request variables the steps share, declared once (types only).

import type { Bindings, Config } from './config';
import type { Principal } from './core/principal';
import type { RouteRule } from './core/route-rules';
import type { LimitHeaders } from './objects/limiter/types';

export type { Bindings, Config };

/** Work one request defers past its response (edge/step.ts afterResponse), given the waitUntil of the request whose timer runs it. */
export type LaterTask = (waitUntil: (promise: Promise<unknown>) => void) => unknown;

export interface AppEnv {
  Bindings: Bindings;
  Variables: {
    requestId: string;
    config: Config;
    principal: Principal;
    routeRule: RouteRule | undefined;
    clientIp: string;
    /** Every limit of a key with limits, for the RateLimit fields of an admitted call (and, for the verifiers, of a 429). */
    rateLimit: readonly LimitHeaders[] | undefined;
    /** A known key that was refused (revoked, disabled, expired): usage counts the call under it. */
    refusedKey: { keyId: string; projectId: string } | undefined;
    /** How the call ended, for usage: 'allowed', 'preflight' or the problem type answered. */
    outcome: string | undefined;
    /** The admin caller's non-secret id (adm_ + 12 hex of sha256(token)), for the audit log. */
    actor: string;
    /** The verify token the HTTP or Envoy verifier was called with (verify/token-auth.ts). */
    verifyToken: { id: string; projectId: string };
    /** The last refusal built (step.ts refuse): it carries X-Request-Id and HSTS already. */
    stamped: Response | undefined;
    /** Work to run after the response (step.ts afterResponse), in the isolate's one timer. */
    deferred: LaterTask[] | undefined;
  };
}
