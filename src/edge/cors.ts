// CORS for browser callers of the proxied API: preflights are answered here (never proxied, never
// authenticated: browsers send no credentials on them) for the origins in CORS_ALLOWED_ORIGINS.

const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE';
const ALLOWED_HEADERS = 'Authorization, X-API-Key, Content-Type';
const EXPOSED_HEADERS = 'X-Request-Id, RateLimit, RateLimit-Policy, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After';

export function isPreflight(request: Request): boolean {
  return request.method === 'OPTIONS' && request.headers.has('origin') && request.headers.has('access-control-request-method');
}

/** The 204 answer to a preflight from an allowed origin. */
export function preflightResponse(origin: string, requestId: string): Response {
  return new Response(null, {
    status: 204,
    headers: {
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Methods': ALLOWED_METHODS,
      'Access-Control-Allow-Headers': ALLOWED_HEADERS,
      'Access-Control-Max-Age': '600',
      Vary: 'Origin',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'X-Request-Id': requestId,
    },
  });
}

/** Adds the CORS response headers for an allowed `origin` (on proxied responses and problems alike). */
export function applyCorsHeaders(headers: Headers, origin: string): void {
  if (headers.has('Access-Control-Allow-Origin')) return; // a preflight answer, or the origin's own
  headers.set('Access-Control-Allow-Origin', origin);
  headers.set('Access-Control-Expose-Headers', EXPOSED_HEADERS);
  headers.append('Vary', 'Origin');
}
