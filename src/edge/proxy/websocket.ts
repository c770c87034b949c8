// Step 12 for a WebSocket upgrade (GET with Upgrade: websocket), after every step an ordinary call
// passes. The origin is asked for a WebSocket of its own (workerd's fetch with Upgrade: websocket
// answers 101 with `response.webSocket`), and keygate relays between the two through a
// WebSocketPair rather than handing the origin's socket on: holding both ends is what lets it close
// the client's socket when the key stops being valid (socket-watch.ts). Messages and closes pass
// in both directions as they come; the handshake's fields are per hop (headers.ts drops the
// client's), so the origin sees its own handshake with the client's subprotocols — less keygate's
// `keygate.bearer.<key>` entry, which never leaves keygate — and the client is answered with the
// subprotocol the origin chose, never with the key entry. Usage: one call per connection, counted
// at the upgrade with the route rule's cost; messages are not counted.

import { refuse, type StepContext } from '../step';
import { extractCredential, KEY_SUBPROTOCOL, subprotocols } from '../../core/credential';
import { hashKey } from '../../core/key-hash';
import { log } from '../../log';
import { rateLimitHeaders } from './ratelimit-fields';
import { watchSocket } from './socket-watch';

/**
 * Prepares `headers` (the origin request's) for the origin's handshake: Upgrade, and the client's
 * subprotocols without the key entry. Returns those subprotocols, or the refusal of a request that
 * sent its key both in a header and as a subprotocol.
 */
export function socketRequest(c: StepContext, headers: Headers): string[] | Response {
  const incoming = c.req.raw.headers;
  const offered = subprotocols(incoming.get('sec-websocket-protocol') ?? '');
  const protocols = offered.filter((p) => !p.startsWith(KEY_SUBPROTOCOL));
  if (protocols.length < offered.length && (incoming.has('authorization') || incoming.has('x-api-key')))
    return refuse(c, 'invalid-api-key', { detail: 'Send the API key once: in a header or as the keygate.bearer subprotocol, not both' });
  headers.set('Upgrade', 'websocket');
  if (protocols.length > 0) headers.set('Sec-WebSocket-Protocol', protocols.join(', '));
  return protocols;
}

/** Closes `socket`, ignoring one already closed. */
function closeQuietly(socket: WebSocket, code?: number, reason?: string): void {
  try {
    socket.close(code, reason);
  } catch {
    // already closing or closed
  }
}

/**
 * Passes `from`'s messages and close on to `to`; `ended` runs once `from` is closed. Binary
 * messages arrive as ArrayBuffers (not the standard's default Blobs), which `send` takes as they are,
 * in order with the text ones.
 */
function pipe(from: WebSocket, to: WebSocket, ended: () => void): void {
  from.binaryType = 'arraybuffer';
  from.addEventListener('message', (event) => {
    try {
      to.send(event.data);
    } catch {
      // `to` is closing: its close event ends the relay
    }
  });
  from.addEventListener('close', (event) => {
    ended();
    // 1005 (no code sent) is passed on as no code; 1006 and 1015 are never sent on the wire.
    if (event.code === 1005) closeQuietly(to);
    else if (event.code === 1006 || event.code === 1015) closeQuietly(to, 1011, 'keygate: the other side was lost');
    else closeQuietly(to, event.code, event.reason);
  });
  from.addEventListener('error', () => {
    ended();
    closeQuietly(to, 1011, 'keygate: the other side failed');
  });
}

/**
 * The client's end of a relay to the origin's socket (the origin answered 101), watched until it
 * closes; 502 when the origin chose a subprotocol the client did not offer.
 */
export async function relaySocket(c: StepContext, response: Response, origin: WebSocket, offered: readonly string[]): Promise<Response> {
  const chosen = response.headers.get('sec-websocket-protocol');
  origin.accept();
  if (chosen !== null && !offered.includes(chosen)) {
    log('warn', 'origin chose a websocket subprotocol nobody offered', { requestId: c.get('requestId') });
    closeQuietly(origin, 1002, 'keygate: subprotocol not offered');
    return refuse(c, 'bad-gateway', { detail: 'The origin chose a WebSocket subprotocol the client did not offer' });
  }
  // The key was checked by apiKeyAuth; its hash is what the re-checks look up (the key is not kept).
  const credential = extractCredential(c.req.raw.headers);
  if (!credential.ok) throw new Error('websocket upgrade without the credential apiKeyAuth admitted');
  const hash = await hashKey(credential.key);
  const { 0: client, 1: server } = new WebSocketPair();
  server.accept();
  const stop = watchSocket(c, hash, ({ code, reason }) => {
    stop();
    closeQuietly(server, code, reason);
    closeQuietly(origin, code, reason);
  });
  pipe(server, origin, stop);
  pipe(origin, server, stop);
  c.set('outcome', 'allowed');
  const headers = new Headers(chosen === null ? undefined : { 'Sec-WebSocket-Protocol': chosen });
  const limits = c.get('rateLimit');
  if (limits !== undefined) for (const [name, value] of Object.entries(rateLimitHeaders(limits))) headers.set(name, value);
  return new Response(null, { status: 101, webSocket: client, headers });
}
