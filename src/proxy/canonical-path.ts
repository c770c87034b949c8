// Step 4: the path that is authorized must be the path that is forwarded. Anything an origin or a
// router might read differently from us — dot segments, encoded dots, slashes or backslashes, empty
// segments, escaped unreserved characters — is refused rather than normalised.

const FORBIDDEN_ENCODINGS = /%(?:2e|2f|5c|00)/i;
/**
 * Escapes of unreserved characters (RFC 3986 §2.3: letters, digits, "-", "_", "~"): equivalent to
 * the character itself (§6.2.2.2), so `/%5Fkeygate/v1` is `/_keygate/v1` to any normalizing reader
 * and `/v1/%61dmin` would slip past a route rule for `/v1/admin/*`. Producers must not send them.
 */
const UNRESERVED_ESCAPES = /%(?:[46][1-9a-f]|[57][0-9a]|3[0-9]|2d|5f|7e)/i;

/** The raw path of a request URL (no query), as received. */
export function rawPath(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start === -1) return '/';
  let end = url.indexOf('?', start);
  if (end === -1) end = url.indexOf('#', start);
  return end === -1 ? url.slice(start) : url.slice(start, end);
}

/** Null when `path` is canonical, else why it is not. */
export function nonCanonicalReason(path: string): string | null {
  if (path.includes('//')) return 'empty path segment (//)';
  if (path.includes('\\')) return 'backslash in path';
  if (FORBIDDEN_ENCODINGS.test(path)) return 'encoded dot, slash, backslash or NUL in path';
  if (UNRESERVED_ESCAPES.test(path)) return 'percent-encoded letter, digit, "-", "_" or "~" in path (send it unencoded)';
  for (const segment of path.split('/')) {
    if (segment === '.' || segment === '..') return 'dot segment in path';
  }
  return null;
}

/**
 * Null when the message framing is unambiguous, else why not (RFC 9112 §6.3, §11.2): both
 * Content-Length and Transfer-Encoding, or several Content-Length values, are how requests get
 * smuggled past one parser and read differently by the next.
 */
export function ambiguousFramingReason(headers: Headers): string | null {
  const length = headers.get('content-length');
  if (length === null) return null;
  if (headers.has('transfer-encoding')) return 'both Content-Length and Transfer-Encoding';
  if (!/^\d+$/.test(length)) return 'invalid or repeated Content-Length';
  return null;
}
