// Header hygiene for both directions of the proxy (RFC 9110 §7.6.1): hop-by-hop fields and any field
// named in Connection are dropped; credentials never reach the origin; the identity the origin sees
// is only what keygate sets.

const HOP_BY_HOP = [
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

/** Request fields never forwarded: credentials, client-claimed forwarding data, and Host. */
const REQUEST_DROP = [
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
];

export const VIA = '1.1 keygate';

function connectionNamed(headers: Headers): string[] {
  const value = headers.get('connection');
  return value === null
    ? []
    : value
        .split(',')
        .map((t) => t.trim().toLowerCase())
        .filter(Boolean);
}

/** Names to delete from `headers`: hop-by-hop, Connection-named, `extra`, and `keygate-*`/`cf-*` when asked. */
function namesToDrop(headers: Headers, extra: readonly string[], dropPrefixed: boolean): string[] {
  const drop = [...HOP_BY_HOP, ...extra, ...connectionNamed(headers)];
  if (dropPrefixed) {
    for (const [name] of headers) if (name.startsWith('keygate-') || name.startsWith('cf-')) drop.push(name);
  }
  return drop;
}

export interface Identity {
  keyId: string;
  projectId: string;
  scopes: string;
  environment: string;
  requestId: string;
  clientIp: string;
  host: string;
}

/** The headers of the fresh origin request. */
export function originRequestHeaders(incoming: Headers, id: Identity): Headers {
  const headers = new Headers(incoming);
  for (const name of namesToDrop(incoming, REQUEST_DROP, true)) headers.delete(name);
  headers.set('Keygate-Key-Id', id.keyId);
  headers.set('Keygate-Project-Id', id.projectId);
  headers.set('Keygate-Scopes', id.scopes);
  headers.set('Keygate-Environment', id.environment);
  headers.set('X-Request-Id', id.requestId);
  if (id.clientIp !== '') headers.set('X-Forwarded-For', id.clientIp);
  headers.set('X-Forwarded-Proto', 'https');
  headers.set('X-Forwarded-Host', id.host);
  const via = incoming.get('via');
  headers.set('Via', via ? `${via}, ${VIA}` : VIA);
  return headers;
}

/** The origin's response headers as the client may see them. */
export function clientResponseHeaders(origin: Headers): Headers {
  const headers = new Headers(origin);
  for (const name of namesToDrop(origin, [], false)) headers.delete(name);
  return headers;
}
