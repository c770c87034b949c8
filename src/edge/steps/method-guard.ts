// Before authentication: CORS preflights are answered (browsers never attach credentials to them),
// and methods outside the allowlist (TRACE, CONNECT, WebDAV…) get 405 with Allow.

import { refuse, type StepContext } from '../step';
import { isPreflight, preflightResponse } from '../cors';
import { METHODS } from '../../core/route-rules';

const ALLOW = METHODS.join(', ');
const ALLOWED = new Set<string>(METHODS);

export function methodGuard(c: StepContext): Response | undefined {
  const request = c.req.raw;
  if (isPreflight(request)) {
    const origin = request.headers.get('origin') as string;
    if (!c.get('config').cors.origins.has(origin)) return refuse(c, 'cors-origin-not-allowed');
    c.set('outcome', 'preflight');
    return preflightResponse(origin, c.get('requestId'));
  }
  if (!ALLOWED.has(request.method)) return refuse(c, 'method-not-allowed', { headers: { Allow: ALLOW } });
  return undefined;
}
