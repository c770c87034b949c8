// What each problem type means and how to fix it: the text of its page at /_keygate/problems/<name>.
// Typed against the registry, so a problem type cannot be added without its page.

import type { ProblemType } from './problems';

export interface ProblemDoc {
  /** Who meets it: the caller of the proxied API, the admin API's caller, a verifier (src/verify), the operator, GitHub. */
  audience: 'API clients' | 'admin API clients' | 'verifiers' | 'operators' | 'secret scanners';
  /** What happened, in the caller's terms. */
  means: string;
  /** What to do about it. */
  fix: string;
  /** Headers that come with it, when they matter. */
  headers?: string;
}

export const PROBLEM_DOCS = {
  'https-required': {
    audience: 'API clients',
    means:
      'The call came over plain http. keygate answers only https and never redirects, because the request has already crossed the network in clear. A key sent on such a call is treated as exposed (and, by default, revoked).',
    fix: 'Call the https:// URL. If a key went out over http, create a new key and stop using the old one.',
  },
  'missing-api-key': {
    audience: 'API clients',
    means: 'The call carried no API key, or an empty one.',
    fix: 'Send the key as "Authorization: Bearer <key>" or as "X-API-Key: <key>" (one of them, not both).',
    headers: 'WWW-Authenticate: Bearer realm="keygate"',
  },
  'invalid-api-key': {
    audience: 'API clients',
    means:
      'The key is not one keygate accepts: unknown, revoked, disabled, expired, mistyped (bad checksum), too long, or sent twice. keygate does not say which, so that a key string cannot be probed.',
    fix: 'Check that the whole key was copied. If it was, ask the API owner for a new key: the old one may have been revoked, disabled, rotated or have expired.',
    headers: 'WWW-Authenticate: Bearer realm="keygate", error="invalid_token"',
  },
  'malformed-credentials': {
    audience: 'API clients',
    means:
      'The Authorization header is not "Bearer <key>" (for example Basic, or "Bearer" with two words), or the key holds spaces, control or non-ASCII characters.',
    fix: 'Send exactly "Authorization: Bearer <key>", the key as printable ASCII with nothing around it.',
    headers: 'WWW-Authenticate: Bearer realm="keygate", error="invalid_request"',
  },
  'api-key-in-url': {
    audience: 'API clients',
    means:
      'An API key — or a parameter named like one (api_key, apikey, access_token…) — was in the URL, plain or percent-encoded. URLs end up in logs, browser histories and referrers, so a key found there is treated as exposed (and, by default, revoked).',
    fix: 'Send the key in a header (Authorization: Bearer or X-API-Key), never in the URL. If a real key was in the URL, get a new one.',
  },
  'non-canonical-path': {
    audience: 'API clients',
    means:
      'The path can be read as a different path by some server behind keygate: dot segments, ";" parameters, encoded or double-encoded dots, slashes and backslashes, invalid escapes or %u, bytes that are not UTF-8, fullwidth or other look-alike characters, control or invisible characters, escaped letters or digits, empty segments. keygate refuses it rather than guess. The detail names the form found.',
    fix: 'Send the path in its plain form: resolve "." and "..", do not escape letters, digits, "-", "_", "~", ".", "/" or "\\", percent-encode other bytes exactly once as UTF-8, and move ";" parameters to the query.',
  },
  'ambiguous-request': {
    audience: 'API clients',
    means:
      'The message framing can be read two ways: both Content-Length and Transfer-Encoding, or Content-Length repeated or not a number. Such requests are how requests get smuggled past one server to the next.',
    fix: 'Send one Content-Length, or Transfer-Encoding: chunked alone. HTTP libraries do this for you; a hand-built request may not.',
  },
  'method-override': {
    audience: 'API clients',
    means:
      "The query carries a _method parameter, asking the API for another method than the request's own. keygate authorizes the method the request was sent with, and only that one. (The X-HTTP-Method-Override, X-HTTP-Method and X-Method-Override headers are not refused: they are removed before the call is forwarded.)",
    fix: 'Send the method itself (DELETE, PUT, PATCH…) instead of a POST or GET that names it.',
  },
  'method-not-allowed': {
    audience: 'API clients',
    means: 'keygate forwards only GET, HEAD, POST, PUT, PATCH, DELETE and OPTIONS.',
    fix: 'Use one of the methods listed in the Allow header.',
    headers: 'Allow',
  },
  'cors-origin-not-allowed': {
    audience: 'API clients',
    means:
      "A browser asked (in a CORS preflight) whether a page from this origin may call the API, and the origin is not in the API owner's list.",
    fix: 'Call the API from an allowed origin, or ask the API owner to add yours (CORS_ALLOWED_ORIGINS).',
  },
  'route-not-found': {
    audience: 'API clients',
    means: 'No route rule of the API matches this method and path, so no key may call it.',
    fix: "Check the method and the path against the API's documentation.",
  },
  'insufficient-scope': {
    audience: 'API clients',
    means:
      'The key is valid, but this call needs a scope the key does not hold. The "scope" member and the WWW-Authenticate header name it.',
    fix: 'Ask the API owner for a key with that scope, or use one that has it.',
    headers: 'WWW-Authenticate: Bearer realm="keygate", error="insufficient_scope", scope="…"',
  },
  'ip-not-allowed': {
    audience: 'API clients',
    means: 'The key may be used only from certain addresses, and this call came from another one.',
    fix: 'Call from an allowed network, or ask the API owner to add your address range to the key.',
  },
  'too-many-failures': {
    audience: 'API clients',
    means: 'Too many calls with bad keys came from this address in the last minute.',
    fix: 'Wait for the number of seconds in Retry-After, and fix the key your client sends.',
    headers: 'Retry-After',
  },
  'rate-limited': {
    audience: 'API clients',
    means:
      "One of the key's rate-limit windows is full. The detail names it; RateLimit-Policy and RateLimit describe every limit of the key and what is left of each.",
    fix: 'Wait for the number of seconds in Retry-After, then spread your calls so that they stay within the limits RateLimit-Policy lists.',
    headers: 'Retry-After, RateLimit-Policy, RateLimit, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset',
  },
  'quota-exceeded': {
    audience: 'API clients',
    means: "The key's daily or monthly quota is used up.",
    fix: 'Wait until the period resets (Retry-After, in seconds), or ask the API owner for a larger quota.',
    headers: 'Retry-After, RateLimit-Policy, RateLimit, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset',
  },
  'auth-unavailable': {
    audience: 'API clients',
    means:
      'keygate could not check the key (or its limits) right now. The key has not been judged bad: keygate refuses rather than let an unchecked call through.',
    fix: 'Retry after the number of seconds in Retry-After, with backoff.',
    headers: 'Retry-After',
  },
  'bad-gateway': {
    audience: 'API clients',
    means:
      'The call was authorized, but the API behind keygate could not be reached, broke off its answer, or answered with a status keygate cannot relay.',
    fix: 'Retry later if the call is safe to repeat. If it keeps happening, tell the API owner, with the requestId.',
  },
  'gateway-timeout': {
    audience: 'API clients',
    means:
      'The call was authorized, but the API behind keygate did not answer in time (ORIGIN_TIMEOUT_MS), or sent its headers and then no body.',
    fix: 'Retry later if the call is safe to repeat. If it keeps happening, tell the API owner, with the requestId.',
  },
  misconfigured: {
    audience: 'operators',
    means: 'A setting of this keygate is invalid, so it refuses every call rather than run with it. The detail names the setting.',
    fix: 'Operators: correct the setting in wrangler.toml (or the secret) and deploy again. API clients: tell the API owner, with the requestId.',
  },
  'internal-error': {
    audience: 'operators',
    means: 'keygate failed in a way it did not expect. Nothing was forwarded.',
    fix: 'Retry later. Operators: the log line with this requestId says what failed.',
  },
  unauthorized: {
    audience: 'admin API clients',
    means: 'The admin API needs the admin token, and this call had none, a wrong one, or an API key instead.',
    fix: 'Send "Authorization: Bearer <ADMIN_TOKEN>". API keys never work on the admin API.',
    headers: 'WWW-Authenticate: Bearer realm="keygate-admin"',
  },
  'admin-disabled': {
    audience: 'operators',
    means: 'The admin API is off because ADMIN_TOKEN is not set, or is shorter than 16 characters.',
    fix: 'Set it: "wrangler secret put ADMIN_TOKEN" with a long random value.',
  },
  'not-found': {
    audience: 'admin API clients',
    means: 'No such project, key, delivery or page — or it belongs to something you cannot see.',
    fix: 'Check the id or the path.',
  },
  'validation-failed': {
    audience: 'admin API clients',
    means: 'The request body or query is not valid. The "errors" member lists each field and what is wrong with it.',
    fix: 'Correct the fields named in "errors" and send the request again.',
  },
  'unsupported-media-type': {
    audience: 'admin API clients',
    means: 'The request body is not declared as JSON.',
    fix: 'Send "Content-Type: application/json" with a JSON body.',
  },
  'payload-too-large': {
    audience: 'admin API clients',
    means: 'The request body is larger than keygate accepts here (the detail gives the limit).',
    fix: 'Send a smaller body.',
  },
  conflict: {
    audience: 'admin API clients',
    means: 'The change does not fit the current state, for example changing a revoked key (revocation is permanent).',
    fix: 'Read the current state (GET) and decide again; the detail says what is in the way.',
  },
  'invalid-verify-token': {
    audience: 'verifiers',
    means:
      'The HTTP verifier (/_keygate/v1/verify) and the Envoy ext_authz endpoint need a verify token of the project, and this call had none, a wrong or revoked one, or the admin token (which never works there).',
    fix: 'Create a verify token (POST /_keygate/v1/projects/{projectId}/verify-tokens) and send it as "Authorization: Bearer <token>" (verify) or "Keygate-Verify-Token: <token>" (ext_authz).',
    headers: 'WWW-Authenticate: Bearer realm="keygate-verify"',
  },
  'invalid-signature': {
    audience: 'secret scanners',
    means: 'A secret-scanning report did not carry a valid signature from GitHub.',
    fix: "Only GitHub's secret-scanning service may call this endpoint; its reports are signed with the keys GitHub publishes.",
  },
} as const satisfies Record<ProblemType, ProblemDoc>;
