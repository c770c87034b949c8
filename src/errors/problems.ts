// The closed registry of problem types and the one problem+json (RFC 9457) renderer.

/** Every problem keygate can answer with: type → status and title. Nothing else reaches the wire. */
export const PROBLEMS = {
  'https-required': { status: 403, title: 'HTTPS is required' },
  'missing-api-key': { status: 401, title: 'An API key is required' },
  'invalid-api-key': { status: 401, title: 'The API key is not valid' },
  'malformed-credentials': { status: 400, title: 'The credentials are malformed' },
  'api-key-in-url': { status: 400, title: 'API keys must not be sent in the URL' },
  'non-canonical-path': { status: 400, title: 'The request path is not canonical' },
  'ambiguous-request': { status: 400, title: 'The request framing is ambiguous' },
  'method-override': { status: 400, title: 'Method overrides are not accepted' },
  'method-not-allowed': { status: 405, title: 'The method is not allowed' },
  'cors-origin-not-allowed': { status: 403, title: 'The origin is not allowed' },
  'route-not-found': { status: 404, title: 'No route matches this request' },
  'insufficient-scope': { status: 403, title: 'The API key lacks a required scope' },
  'ip-not-allowed': { status: 403, title: 'The client address is not allowed for this key' },
  'too-many-failures': { status: 429, title: 'Too many failed authentication attempts' },
  'rate-limited': { status: 429, title: 'Rate limit exceeded' },
  'quota-exceeded': { status: 429, title: 'Quota exceeded' },
  'auth-unavailable': { status: 503, title: 'Authentication is temporarily unavailable' },
  'bad-gateway': { status: 502, title: 'The origin could not be reached' },
  'gateway-timeout': { status: 504, title: 'The origin did not answer in time' },
  misconfigured: { status: 500, title: 'keygate is misconfigured' },
  'internal-error': { status: 500, title: 'Internal error' },
  // Admin API
  unauthorized: { status: 401, title: 'A valid admin token is required' },
  'admin-disabled': { status: 503, title: 'The admin API is not configured' },
  'not-found': { status: 404, title: 'Not found' },
  'validation-failed': { status: 400, title: 'The request is not valid' },
  'unsupported-media-type': { status: 415, title: 'The request body must be JSON' },
  'payload-too-large': { status: 413, title: 'The request body is too large' },
  conflict: { status: 409, title: 'The request conflicts with the current state' },
  // The HTTP and Envoy verifiers (src/verify)
  'invalid-verify-token': { status: 401, title: 'A valid verify token is required' },
  // Secret-scanning partner endpoint
  'invalid-signature': { status: 401, title: 'The request signature is not valid' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemType = keyof typeof PROBLEMS;

export interface FieldError {
  path: string;
  message: string;
}

export interface ProblemOptions {
  detail?: string;
  headers?: Record<string, string>;
  errors?: FieldError[];
  /** Extra members of the problem object (e.g. `scope` for insufficient-scope). */
  extra?: Record<string, string | number>;
}

/** A problem raised from deep inside a handler; `onError` renders it. Not for faults. */
export class ApiError extends Error {
  constructor(
    readonly type: ProblemType,
    readonly options: ProblemOptions = {},
  ) {
    super(options.detail ?? PROBLEMS[type].title);
    this.name = 'ApiError';
  }
}

/** Where keygate serves the page of each problem type (src/admin/problem-pages.ts). */
export const PROBLEM_PAGES = '/_keygate/problems';

/**
 * A problem's `type`: the path of its page, a relative reference with the full path (RFC 9457
 * §3.1.1). It resolves against the request URL, which is always keygate's own host: keygate serves
 * every path of it and /_keygate is never proxied. An absolute URI would need that host in every
 * body; the relative one keeps each body the same on every hostname routed to keygate.
 */
export function problemTypeUri(type: ProblemType): string {
  return `${PROBLEM_PAGES}/${type}`;
}

/** Members the renderer writes itself: an `extra` member of the same name is ignored. */
const RESERVED_MEMBERS = new Set(['type', 'title', 'status', 'detail', 'errors', 'requestId']);

/** Each type's opening members, serialized once: a refusal is rendered on every denied call. */
const OPENINGS = Object.fromEntries(
  Object.entries(PROBLEMS).map(([type, { status, title }]) => [
    type,
    `{"type":${JSON.stringify(problemTypeUri(type as ProblemType))},"title":${JSON.stringify(title)},"status":${status}`,
  ]),
) as Record<ProblemType, string>;

/**
 * The one renderer: problem+json with `X-Request-Id`, `Cache-Control: no-store` and nosniff (and
 * `hsts` as Strict-Transport-Security when given: the data plane's refusals are stamped here, in the
 * one native call that builds their headers, instead of by two Headers.set after).
 * Bodies never carry stack traces or internal detail. Members in a fixed order: type, title,
 * status, detail, the extra members, errors, requestId.
 */
export function problemResponse(type: ProblemType, requestId: string, options: ProblemOptions = {}, hsts?: string): Response {
  const { status } = PROBLEMS[type];
  let body = OPENINGS[type];
  if (options.detail !== undefined) body += `,"detail":${JSON.stringify(options.detail)}`;
  if (options.extra) {
    for (const [name, value] of Object.entries(options.extra)) {
      if (!RESERVED_MEMBERS.has(name)) body += `,${JSON.stringify(name)}:${JSON.stringify(value)}`;
    }
  }
  if (options.errors) body += `,"errors":${JSON.stringify(options.errors)}`;
  body += `,"requestId":${JSON.stringify(requestId)}}`;
  // A plain object: one native call builds the headers, where Headers.set would cost one each.
  // Callers name fields in canonical case (a second spelling would become a second field).
  const headers: Record<string, string> = { ...options.headers };
  headers['Content-Type'] = 'application/problem+json';
  headers['Cache-Control'] = 'no-store';
  headers['X-Content-Type-Options'] = 'nosniff';
  headers['X-Request-Id'] = requestId;
  if (hsts !== undefined) headers['Strict-Transport-Security'] = hsts;
  if (status === 401 && headers['WWW-Authenticate'] === undefined) headers['WWW-Authenticate'] = 'Bearer realm="keygate"';
  return new Response(body, { status, headers });
}
