// Steps 9–10: what an authenticated key may do. The IP allowlist is checked against
// CF-Connecting-IP (set by Cloudflare; X-Forwarded-For is client-controlled and ignored), then
// the first matching route rule names the scopes the key must hold.

import { rawPath } from '../../core/url';
import { refuse, type StepContext } from '../step';
import { cidrContains, parseIp } from '../../core/ip';
import { matchRoute } from '../../core/route-rules';
import { firstMissingScope } from '../../core/scopes';

export function ipAllowlist(c: StepContext): Response | undefined {
  const allowed = c.get('principal').ipAllowlist;
  if (allowed === null) return undefined;
  const address = parseIp(c.get('clientIp'));
  if (address !== null && allowed.some((cidr) => cidrContains(cidr, address))) return undefined;
  return refuse(c, 'ip-not-allowed', { detail: 'This key may not be used from this address' });
}

export function routeAuthorization(c: StepContext): Response | undefined {
  const rules = c.get('config').routes;
  if (rules === null) return undefined;
  const method = c.req.method;
  const rule = matchRoute(rules, method, rawPath(c.req.url));
  if (rule === undefined) return refuse(c, 'route-not-found', { detail: `No route rule allows ${method} on this path` });
  c.set('routeRule', rule);
  const missing = firstMissingScope(c.get('principal').scopes, rule.scopes);
  if (missing !== undefined) {
    return refuse(c, 'insufficient-scope', {
      detail: `This call requires the scope "${missing}"`,
      extra: { scope: missing },
      headers: { 'WWW-Authenticate': `Bearer realm="keygate", error="insufficient_scope", scope="${missing}"` },
    });
  }
  return undefined;
}
