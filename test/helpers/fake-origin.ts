// The recording fake origin: a real HTTP server in Node (the only thing outside keygate that tests
// fake). Every request is recorded under its X-Test-Tag; tests read the record over
// GET /__calls/<tag> to prove what the origin saw — or that it was never called. WebSocket
// upgrades (any path under /ws/) are answered by the `ws` package — the server half of RFC 6455 is
// its job, not a test helper's — and recorded like any call: an echo that also closes on request.

import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import type { WebSocket, WebSocketServer as Server_ } from 'ws';
import type { RecordedCall } from './origin-types';

const calls = new Map<string, RecordedCall[]>();
const releases = new Map<string, () => void>();
/** Documents a test published (GitHub's signing keys), and how often each was fetched. */
const published = new Map<string, string>();
const fetches = new Map<string, number>();

function waitRelease(tag: string): Promise<void> {
  return new Promise((resolve) => releases.set(tag, resolve));
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function control(req: IncomingMessage, res: ServerResponse, path: string): void {
  const [, what, tag = ''] = path.split('/');
  if (what === '__calls') return json(res, 200, calls.get(tag) ?? []);
  if (what === '__release') {
    releases.get(tag)?.();
    releases.delete(tag);
    return json(res, 200, { released: tag });
  }
  if (what === '__published') return publishedDocument(req, res, tag);
  if (what === '__fetches') return json(res, 200, { count: fetches.get(tag) ?? 0 });
  json(res, 404, { error: 'unknown control route' });
}

/** PUT stores a document under the tag; GET serves it (503 when there is none) and counts the fetch. */
function publishedDocument(req: IncomingMessage, res: ServerResponse, tag: string): void {
  if (req.method === 'PUT') {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      published.set(tag, text);
      json(res, 200, { stored: tag });
    });
    return;
  }
  fetches.set(tag, (fetches.get(tag) ?? 0) + 1);
  const doc = published.get(tag);
  if (doc === undefined) return json(res, 503, { error: 'no document' });
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(doc);
}

/** A status line Node's writeHead refuses or treats itself (1xx, 600+), for /raw-status/<status>: written to the socket. */
function rawStatus(path: string): string {
  const status = path.slice('/raw-status/'.length);
  const upgrade = status === '101' ? 'upgrade: websocket\r\nconnection: upgrade\r\n' : 'connection: close\r\n';
  return `HTTP/1.1 ${status} Odd\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n${upgrade}\r\nok`;
}

async function behave(req: IncomingMessage, res: ServerResponse, call: RecordedCall, tag: string, url: URL): Promise<void> {
  const path = url.pathname;
  if (path.startsWith('/status/')) {
    const status = Number(path.slice('/status/'.length));
    const headers: Record<string, string> = { 'x-origin': 'fake', 'retry-after': '7' };
    if (status === 204 || status === 304) {
      res.writeHead(status, headers);
      return void res.end();
    }
    return json(res, status, { origin: 'error', status }, headers);
  }
  if (path === '/redirect') {
    res.writeHead(302, { location: 'https://internal.example/secret' });
    return void res.end();
  }
  if (path === '/slow') {
    await new Promise((r) => setTimeout(r, Number(url.searchParams.get('ms') ?? '1000')));
    if (res.destroyed) return;
    return json(res, 200, { slow: true });
  }
  if (path === '/stream') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('first chunk\n');
    await waitRelease(tag);
    return void res.end('second chunk\n');
  }
  if (path.startsWith('/raw-status/')) return void req.socket.end(rawStatus(path));
  if (path === '/stall' || req.headers['x-test-stall'] !== undefined) {
    // Headers and the start of the body, then nothing until released (or until keygate gives up).
    // (Any path with X-Test-Stall.) ?chunked or X-Test-Stall: chunked: no Content-Length (the
    // per-chunk deadline); else 1000 bytes (the whole-body one).
    const chunked = url.searchParams.has('chunked') || req.headers['x-test-stall'] === 'chunked';
    res.writeHead(200, chunked ? { 'content-type': 'text/plain' } : { 'content-type': 'text/plain', 'content-length': '1000' });
    // ?silent: the headers only; ?broken: the headers, then the connection closed.
    if (url.searchParams.has('broken')) {
      res.flushHeaders();
      return void setTimeout(() => req.socket.destroy(), 50);
    }
    if (url.searchParams.has('silent')) res.flushHeaders();
    else res.write('partial body\n');
    await waitRelease(tag);
    if (!res.destroyed) res.end('x'.repeat(1000 - 'partial body\n'.length));
    return;
  }
  if (path === '/trickle') {
    // `n` chunks `gap` ms apart: slow as a whole, never idle for long.
    const n = Number(url.searchParams.get('n') ?? '5');
    const gap = Number(url.searchParams.get('gap') ?? '100');
    res.writeHead(200, { 'content-type': 'text/plain' });
    for (let i = 0; i < n && !res.destroyed; i++) {
      res.write(`chunk ${i}\n`);
      await new Promise((r) => setTimeout(r, gap));
    }
    return void res.end();
  }
  if (path === '/hop') {
    res.writeHead(200, { 'content-type': 'text/plain', 'keep-alive': 'timeout=5', 'x-private-hop': 'secret', connection: 'x-private-hop' });
    return void res.end('hop');
  }
  if (path === '/cookies') {
    // Two Set-Cookie fields (whose values hold commas) and a repeated ordinary field: relayed apart, as sent.
    res.writeHead(201, 'Made', [
      ['content-type', 'text/plain'],
      ['set-cookie', 'a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Path=/'],
      ['set-cookie', 'b=2; HttpOnly'],
      ['x-multi', 'one'],
      ['x-multi', 'two'],
    ]);
    return void res.end('cookies');
  }
  if (path === '/me') return json(res, 200, { keyId: req.headers['keygate-key-id'] ?? null });
  json(res, 200, {
    method: req.method,
    path,
    query: url.search,
    headers: req.headers,
    bodyBytes: call.bodyBytes,
    bodySha256: call.bodySha256,
  });
}

/** Files a new call under `tag`; `done` once its body has been read (an upgrade has none). */
function record(req: IncomingMessage, tag: string, done: boolean): RecordedCall {
  const call: RecordedCall = {
    method: req.method ?? '',
    url: req.url ?? '',
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    bodyBytes: 0,
    bodySha256: '',
    aborted: false,
    done,
  };
  const list = calls.get(tag) ?? [];
  list.push(call);
  calls.set(tag, list);
  return call;
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://origin.local');
  if (url.pathname.startsWith('/__')) return control(req, res, url.pathname);
  const tag = String(req.headers['x-test-tag'] ?? 'untagged');
  const call = record(req, tag, false);
  const hash = createHash('sha256');
  req.on('data', (chunk: Buffer) => {
    call.bodyBytes += chunk.length;
    hash.update(chunk);
  });
  res.on('close', () => {
    if (!res.writableFinished) call.aborted = true;
  });
  req.on('end', () => {
    call.bodySha256 = hash.digest('hex');
    call.done = true;
    behave(req, res, call, tag, url).catch((error: unknown) => json(res, 500, { error: String(error) }));
  });
}

/** The subprotocols the fake origin speaks, in its order of preference: it picks the first the client offers. */
export const ORIGIN_SUBPROTOCOLS = ['chat.v2', 'chat.v1'];

/**
 * An echo: every message comes back as sent (text as text, binary as binary); "close <code> <reason>"
 * makes the origin close with that code; "headers" answers with the upgrade request's headers.
 */
function echo(socket: WebSocket, req: IncomingMessage): void {
  socket.on('message', (data, isBinary) => {
    const text = isBinary ? '' : data.toString();
    if (text.startsWith('close ')) {
      const [, code, ...reason] = text.split(' ');
      return socket.close(Number(code), reason.join(' '));
    }
    if (text === 'headers') return socket.send(JSON.stringify(req.headers));
    socket.send(data, { binary: isBinary });
  });
}

// Node's own resolution: vite, which loads this file, would pick ws's browser stub.
const { WebSocketServer } = createRequire(import.meta.url)('ws') as { WebSocketServer: typeof Server_ };

function acceptWebSockets(server: Server): void {
  const sockets = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => ORIGIN_SUBPROTOCOLS.find((p) => offered.has(p)) ?? false,
  });
  server.on('upgrade', (req: IncomingMessage, socket, head) => {
    record(req, String(req.headers['x-test-tag'] ?? 'untagged'), true);
    // A 101 that is no WebSocket handshake (no Sec-WebSocket-Accept), as /raw-status/101 answers any call.
    if ((req.url ?? '').startsWith('/raw-status/')) return void socket.end(rawStatus(req.url ?? ''));
    if (!(req.url ?? '').startsWith('/ws/'))
      return void socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
    sockets.handleUpgrade(req, socket, head, (ws) => echo(ws, req));
  });
}

/** Starts the fake origin on a free loopback port. */
export async function startFakeOrigin(port = 0): Promise<{ server: Server; port: number }> {
  const server = createServer(handle);
  acceptWebSockets(server);
  // Idle keep-alive connections are closed by their client (workerd), never by this server: a server
  // that closes an idle connection while the client is reusing it loses that request ("Network
  // connection lost" ⇒ 502), and a loaded machine — a lagging event loop here — makes that race likely
  // (checklist F48 and E38). So this server's idle timeout must outlast workerd's connection pool,
  // as any origin's should outlast its proxy's. The global teardown closes the connections it keeps.
  server.keepAliveTimeout = 10 * 60_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}
