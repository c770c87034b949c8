// Header hygiene for both directions of the proxy (RFC 9110 §7.6.1): hop-by-hop fields and any field
// named in Connection are dropped; credentials never reach the origin; the identity the origin sees
// is only what keygate sets. One pass over the incoming fields, one set lookup each.

import { OVERRIDE_HEADERS } from '../../core/method-override';

export const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
];

/** Request fields never forwarded: hop-by-hop, credentials, client-claimed forwarding data, Host. */
const REQUEST_DROP = new Set([
  ...HOP_BY_HOP,
  'authorization',
  'x-api-key',
  'host',
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-forwarded-port',
  'x-real-ip',
  'true-client-ip',
  'x-request-id',
  'via',
  // keygate's own RFC 9421 signature (when configured) is the only one the origin may see.
  'signature',
  'signature-input',
  // another method or path than the one authorized (method-override.ts)
  ...OVERRIDE_HEADERS,
  // A WebSocket handshake is per hop: keygate's own fetch makes the origin's (websocket.ts sets
  // its subprotocols, without the one that carries a key), and an ordinary call has none.
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-extensions',
  'sec-websocket-protocol',
]);
/** An RFC 9110 field name: only such tokens of a Connection header can name a field to drop. */
const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export const VIA = '1.1 keygate';

/** The field names a message's Connection header lists (RFC 9110 §7.6.1), lower-cased; junk tokens skipped. */
function connectionFields(headers: Headers): string[] {
  const connection = headers.get('connection');
  if (connection === null) return [];
  const names: string[] = [];
  for (const token of connection.split(',')) {
    const name = token.trim();
    if (FIELD_NAME.test(name)) names.push(name.toLowerCase());
  }
  return names;
}

/** `drop` plus the fields the message's own Connection header names (rare: only then a new set). */
function dropSet(headers: Headers, drop: ReadonlySet<string>): ReadonlySet<string> {
  const named = connectionFields(headers);
  return named.length === 0 ? drop : new Set([...drop, ...named]);
}

export interface Identity {
  keyId: string;
  projectId: string;
  scopes: string;
  environment: string;
  requestId: string;
  clientIp: string;
  host: string;
  /** The key's customer: sent as Keygate-Customer-Id and Keygate-Customer-External-Id (and signed). */
  customer: { id: string; externalId: string } | null;
}

/** Every identity field keygate may set (lower case). */
export const IDENTITY_FIELDS = [
  'keygate-key-id',
  'keygate-project-id',
  'keygate-scopes',
  'keygate-environment',
  'keygate-customer-id',
  'keygate-customer-external-id',
];

/** The identity fields keygate vouches for, on the origin request or (Envoy) in the allow answer. */
export function setIdentity(headers: Headers, id: Pick<Identity, 'keyId' | 'projectId' | 'scopes' | 'environment' | 'customer'>): void {
  headers.set('Keygate-Key-Id', id.keyId);
  headers.set('Keygate-Project-Id', id.projectId);
  headers.set('Keygate-Scopes', id.scopes);
  headers.set('Keygate-Environment', id.environment);
  if (id.customer !== null) {
    headers.set('Keygate-Customer-Id', id.customer.id);
    headers.set('Keygate-Customer-External-Id', id.customer.externalId);
  }
}

/** The headers of the fresh origin request. Client-sent `Keygate-*` and `CF-*` are dropped. */
export function originRequestHeaders(incoming: Headers, id: Identity): Headers {
  const drop = dropSet(incoming, REQUEST_DROP);
  const headers = new Headers();
  for (const [name, value] of incoming) {
    if (drop.has(name) || name.startsWith('keygate-') || name.startsWith('cf-')) continue;
    headers.append(name, value);
  }
  setIdentity(headers, id);
  headers.set('X-Request-Id', id.requestId);
  if (id.clientIp !== '') headers.set('X-Forwarded-For', id.clientIp);
  headers.set('X-Forwarded-Proto', 'https');
  headers.set('X-Forwarded-Host', id.host);
  const via = incoming.get('via');
  headers.set('Via', via ? `${via}, ${VIA}` : VIA);
  return headers;
}

/**
 * Removes from `headers` (a copy of the origin's response headers) what the client must not see:
 * hop-by-hop fields and those the origin's Connection header names. In place: the copy was made
 * natively by `new Response(body, originResponse)`, cheaper than rebuilding it field by field.
 */
export function stripHopByHop(headers: Headers): void {
  for (const name of connectionFields(headers)) headers.delete(name);
  for (const name of HOP_BY_HOP) headers.delete(name);
}
