// Step 4: the path that is authorized must be the path that is forwarded. Any spelling that some
// origin, framework or file system would read as a different path than keygate's route rules do
// is refused rather than normalised: keygate cannot know which reader sits behind it, so it
// accepts only paths that every reader reads the same way. The classes and the readers that make
// them dangerous are listed in README ("The request path", step 4).

import { decodedTextReason } from './path-text';

/**
 * Escapes of unreserved characters (RFC 3986 §2.3: letters, digits, "-", "_", "~"): equivalent to
 * the character itself (§6.2.2.2), so `/%5Fkeygate/v1` is `/_keygate/v1` to any normalizing reader
 * and `/v1/%61dmin` would slip past a route rule for `/v1/admin/*`. Producers must not send them.
 */
function isUnreserved(byte: number): boolean {
  return (
    (byte >= 0x30 && byte <= 0x39) ||
    (byte >= 0x41 && byte <= 0x5a) ||
    (byte >= 0x61 && byte <= 0x7a) ||
    byte === 0x2d ||
    byte === 0x5f ||
    byte === 0x7e
  );
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** The byte a `%XX` escape at `i` stands for, or -1 when `path[i]` does not start a valid escape. */
function escapeAt(path: string, i: number): number {
  const hi = hexValue(path.charCodeAt(i + 1));
  const lo = hexValue(path.charCodeAt(i + 2));
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

/** Why one raw character (not part of an escape) is refused, or null. */
function rawCharReason(path: string, i: number, c: number): string | null {
  if (c === 0x2f) return path.charCodeAt(i + 1) === 0x2f ? 'empty path segment (//)' : null;
  if (c === 0x5c) return 'backslash in path';
  if (c === 0x3b)
    return '";" in path: Tomcat, Spring and Jetty read ";…" as a path parameter and drop it, so /admin;x is /admin and /a/..;/b is /b to them';
  if (c <= 0x20 || c >= 0x7f) return 'control, space or non-ASCII character in path (send it percent-encoded)';
  return null;
}

/** Why the escape of `byte` at `i` is refused, or null. */
function escapeReason(path: string, i: number, byte: number): string | null {
  if (byte === 0x2e || byte === 0x2f || byte === 0x5c) return 'encoded dot, slash or backslash in path';
  if (byte < 0x20 || byte === 0x7f) return 'encoded control character (NUL, CR, LF, …) in path';
  if (byte === 0x3b) return 'encoded ";" in path: an origin that decodes before it strips path parameters reads a different path';
  if (isUnreserved(byte)) return 'percent-encoded letter, digit, "-", "_" or "~" in path (send it unencoded)';
  if (byte === 0x25) {
    const next = path.charCodeAt(i + 3);
    if (escapeAt(path, i + 2) >= 0 || next === 0x75 || next === 0x55)
      return 'double-encoded escape in path (%25 before hex digits or "u"): %252e is %2e to an origin that decodes twice';
  }
  return null;
}

/** Why one segment (between slashes, still escaped) is refused, or null. */
function segmentReason(segment: string): string | null {
  if (segment === '') return null;
  if (/^\.+$/.test(segment)) return 'dot segment in path';
  if (segment.endsWith('.') || segment.endsWith('%20'))
    return 'path segment ending in "." or a space: Windows and IIS drop them, so /admin. is /admin there';
  return null;
}

/** Null when `path` (a raw path as rawPath returns it) is canonical, else why it is not. */
export function nonCanonicalReason(path: string): string | null {
  let escapes = false;
  let nonAscii = false;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c !== 0x25) {
      const reason = rawCharReason(path, i, c);
      if (reason !== null) return reason;
      continue;
    }
    const byte = escapeAt(path, i);
    if (byte < 0) return 'invalid percent-escape in path (% not followed by two hex digits, e.g. %u002e or %zz)';
    const reason = escapeReason(path, i, byte);
    if (reason !== null) return reason;
    escapes = true;
    if (byte >= 0x80) nonAscii = true;
    i += 2;
  }
  for (const segment of path.split('/')) {
    const reason = segmentReason(segment);
    if (reason !== null) return reason;
  }
  // Only paths with escaped non-ASCII bytes need decoding: everything else was judged above.
  return escapes && nonAscii ? decodedTextReason(percentBytes(path)) : null;
}

/** The bytes `path` stands for, escapes decoded (every escape in it is valid by now). */
function percentBytes(path: string): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 0x25) {
      bytes.push(escapeAt(path, i));
      i += 2;
    } else bytes.push(c);
  }
  return new Uint8Array(bytes);
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
