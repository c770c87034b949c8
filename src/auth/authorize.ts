// Steps 9–10: what an authenticated key may do. The IP allowlist is checked against
// CF-Connecting-IP (set by Cloudflare; X-Forwarded-For is client-controlled and ignored), then
// the first matching route rule names the scopes the key must hold.

import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { ApiError } from '../errors/problems';
import { rawPath } from '../proxy/canonical-path';
import { cidrContains, parseIp } from './ip';
import { matchRoute } from './routes';
import { firstMissingScope } from './scopes';

export function ipAllowlist() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const allowed = c.var.principal.ipAllowlist;
    if (allowed !== null) {
      const address = parseIp(c.var.clientIp);
      if (address === null || !allowed.some((cidr) => cidrContains(cidr, address))) {
        throw new ApiError('ip-not-allowed', { detail: 'This key may not be used from this address' });
      }
    }
    return next();
  });
}

export function routeAuthorization() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const rules = c.var.config.routes;
    if (rules === null) return next();
    const rule = matchRoute(rules, c.req.method, rawPath(c.req.url));
    if (rule === undefined) throw new ApiError('route-not-found', { detail: `No route rule allows ${c.req.method} on this path` });
    const missing = firstMissingScope(c.var.principal.scopes, rule.scopes);
    if (missing !== undefined) {
      throw new ApiError('insufficient-scope', {
        detail: `This call requires the scope "${missing}"`,
        extra: { scope: missing },
        headers: { 'WWW-Authenticate': `Bearer realm="keygate", error="insufficient_scope", scope="${missing}"` },
      });
    }
    c.set('routeRule', rule);
    return next();
  });
}
