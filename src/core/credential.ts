// Where a credential may come from (Authorization: Bearer, then X-API-Key, then — for a WebSocket
// upgrade only — a `keygate.bearer.<key>` entry of Sec-WebSocket-Protocol, the one field a browser
// lets a page set on a WebSocket; never the URL), what is wrong with it when it cannot be used, and
// where one sits in a URL. Pure: no hashing, no lookup.

import { keyFinder } from './key-format';
import { pathAndAfter } from './url';
import { looseDecode, queryNames } from './url-decode';

export type Extraction =
  { ok: true; key: string } | { ok: false; problem: 'missing-api-key' | 'malformed-credentials' | 'invalid-api-key'; detail: string };

/** Anything longer cannot be a key: refused before hashing. */
const MAX_CREDENTIAL_LENGTH = 256;
const BEARER = /^Bearer(?:[ \t]+(.*))?$/i;

function checkValue(value: string, source: string): Extraction {
  if (value === '') return { ok: false, problem: 'missing-api-key', detail: `${source} is empty` };
  if (value.includes(','))
    return { ok: false, problem: 'invalid-api-key', detail: `${source} carries more than one value; send exactly one API key` };
  if (value.length > MAX_CREDENTIAL_LENGTH) return { ok: false, problem: 'invalid-api-key', detail: 'The API key is not valid' };
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f)
      return { ok: false, problem: 'malformed-credentials', detail: `${source} must be a single token of printable ASCII` };
  }
  return { ok: true, key: value };
}

/**
 * The subprotocol entry that carries a key: `keygate.bearer.<key>`. A key is a valid entry as is:
 * its prefix, environment, underscores and base62 body are all RFC 9110 token characters.
 */
export const KEY_SUBPROTOCOL = 'keygate.bearer.';

/** The entries of a Sec-WebSocket-Protocol value (a comma-separated list of tokens, RFC 6455 §4.1), empty ones dropped. */
export function subprotocols(value: string): string[] {
  const entries: string[] = [];
  for (const entry of value.split(',')) {
    const token = entry.trim();
    if (token !== '') entries.push(token);
  }
  return entries;
}

/** Whether `headers` ask for a WebSocket (Upgrade: websocket); the caller checks the method is GET. */
export function asksForWebSocket(headers: Headers): boolean {
  return headers.get('upgrade')?.toLowerCase() === 'websocket';
}

/** The key of an upgrade's `keygate.bearer.` subprotocol entry; none when the request is not an upgrade or has no such entry. */
function subprotocolCredential(headers: Headers): Extraction | undefined {
  const value = headers.get('sec-websocket-protocol');
  if (value === null || !asksForWebSocket(headers)) return undefined;
  const keys = subprotocols(value).filter((p) => p.startsWith(KEY_SUBPROTOCOL));
  if (keys.length === 0) return undefined;
  if (keys.length > 1) return { ok: false, problem: 'invalid-api-key', detail: 'Sec-WebSocket-Protocol carries more than one API key' };
  return checkValue((keys[0] as string).slice(KEY_SUBPROTOCOL.length), 'The keygate.bearer subprotocol');
}

/** The API key from the request headers (names are case-insensitive by construction of Headers). */
export function extractCredential(headers: Headers): Extraction {
  const authorization = headers.get('authorization');
  const apiKey = headers.get('x-api-key');
  if (authorization !== null && apiKey !== null) {
    return { ok: false, problem: 'invalid-api-key', detail: 'Send the API key in Authorization or X-API-Key, not both' };
  }
  if (authorization !== null) {
    const trimmed = authorization.trim();
    if (trimmed === '') return { ok: false, problem: 'missing-api-key', detail: 'Authorization is empty' };
    const match = BEARER.exec(trimmed);
    if (match === null) return { ok: false, problem: 'malformed-credentials', detail: 'Authorization must use the Bearer scheme' };
    return checkValue((match[1] ?? '').trim(), 'Authorization');
  }
  if (apiKey !== null) return checkValue(apiKey.trim(), 'X-API-Key');
  // Only a request that carries no key in a header pays for this look.
  return (
    subprotocolCredential(headers) ?? {
      ok: false,
      problem: 'missing-api-key',
      detail: 'Send your API key as Authorization: Bearer <key> or X-API-Key: <key>',
    }
  );
}

/** Query parameter names that carry API keys in other products: refused whatever their value. */
const KEY_PARAMS = new Set(['api_key', 'apikey', 'api-key', 'x-api-key', 'access_token', 'key_secret']);

export interface UrlCredential {
  /** A key-like parameter name or a key of this prefix appears in the URL. */
  found: boolean;
  /** The key-shaped strings found, for exposure reporting. */
  keys: string[];
}

/**
 * Looks for a credential in the path, query and fragment of `url` (the full request URL string),
 * after decoding them as a reader of logs could (looseDecode).
 */
export function findKeyInUrl(url: string, prefix: string): UrlCredential {
  const rest = pathAndAfter(url);
  const text = rest.includes('%') ? looseDecode(rest) : rest;
  const keys = text.includes(`${prefix}_`) ? (text.match(keyFinder(prefix)) ?? []) : [];
  const found = keys.length > 0 || queryNames(rest).some((name) => KEY_PARAMS.has(name));
  return { found, keys };
}
