// Where a credential may come from (Authorization: Bearer, then X-API-Key; never the URL), what is
// wrong with it when it cannot be used, and where one sits in a URL. Pure: no hashing, no lookup.

import { keyFinder } from '../keys/format';

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
  return { ok: false, problem: 'missing-api-key', detail: 'Send your API key as Authorization: Bearer <key> or X-API-Key: <key>' };
}

/** Query parameter names that carry API keys in other products: refused whatever their value. */
const KEY_PARAMS = new Set(['api_key', 'apikey', 'api-key', 'x-api-key', 'access_token', 'key_secret']);

export interface UrlCredential {
  /** A key-like parameter name or a key of this prefix appears in the URL. */
  found: boolean;
  /** The key-shaped strings found, for exposure reporting. */
  keys: string[];
}

/** Rounds of percent-decoding: a key escaped three times over is still found. */
const DECODE_ROUNDS = 4;
const ESCAPE = /%([0-9A-Fa-f]{2})/g;
const UTF8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/**
 * `text` as any reader could turn it back into the key: escapes decoded round after round (double
 * encoding, either case of hex digit, invalid escapes left as they are), the bytes read as UTF-8,
 * then NFKC (fullwidth ｋｇ＿ is kg_). Cheap when there is nothing to decode.
 */
export function decodeForKeys(text: string): string {
  let decoded = text;
  for (let round = 0; round < DECODE_ROUNDS && decoded.includes('%'); round++) {
    const next = decoded.replace(ESCAPE, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    if (next === decoded) break;
    decoded = next;
  }
  if (!/[^\x00-\x7f]/.test(decoded)) return decoded;
  const bytes = Uint8Array.from(decoded, (ch) => ch.charCodeAt(0) & 0xff);
  return UTF8.decode(bytes).normalize('NFKC');
}

/**
 * Looks for a credential in the path, query and fragment of `url` (the full request URL string),
 * after decoding them as a reader of logs could (decodeForKeys); `+` is a space in the query.
 */
export function findKeyInUrl(url: string, prefix: string): UrlCredential {
  const pathStart = url.indexOf('/', url.indexOf('//') + 2);
  const rest = pathStart === -1 ? '' : url.slice(pathStart);
  const text = rest.includes('%') ? decodeForKeys(rest) : rest;
  const keys = text.includes(`${prefix}_`) ? (text.match(keyFinder(prefix)) ?? []) : [];
  let found = keys.length > 0;
  const q = rest.indexOf('?');
  if (!found && q !== -1) {
    for (const pair of rest.slice(q + 1).split('&')) {
      const eq = pair.indexOf('=');
      const name = decodeForKeys((eq === -1 ? pair : pair.slice(0, eq)).replace(/\+/g, ' ')).toLowerCase();
      if (KEY_PARAMS.has(name)) {
        found = true;
        break;
      }
    }
  }
  return { found, keys };
}
