// The second example origin: a small read-only reports API, in memory, that keygate reaches as the
// upstream "reports" (wrangler.toml UPSTREAMS; `npm start` runs it on 127.0.0.1:8789). GET /reports
// and /reports/<id> answer JSON; /reports/live is a WebSocket that greets the calling key and
// echoes each message back with it. It checks keygate's signature like the forms origin
// (../keygate-identity.mjs), the upgrade included. The WebSocket server is the `ws` package, which
// `npm install` brings (a devDependency of keygate).

import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { keygateIdentity } from '../keygate-identity.mjs';

const PORT = Number(process.env.PORT ?? 8789);
const identity = keygateIdentity();
const reports = new Map(
  [
    { id: 'r-2026-q3', title: 'Forms processed, Q3 2026', forms: 1284 },
    { id: 'r-2026-q4', title: 'Forms processed, Q4 2026 (to date)', forms: 311 },
  ].map((r) => [r.id, r]),
);

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function route(req, res) {
  const who = await identity.identify(req);
  if (who.ok === false) return send(res, 401, { error: 'not a verified call from keygate', reason: who.reason });
  const parts = new URL(req.url, 'http://origin.local').pathname.split('/').filter(Boolean);
  if (parts[0] !== 'reports' || parts.length > 2) return send(res, 404, { error: 'not found' });
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'read only' });
  if (parts.length === 1) return send(res, 200, { items: [...reports.values()], calledBy: who });
  const report = reports.get(parts[1]);
  return report ? send(res, 200, { ...report, calledBy: who }) : send(res, 404, { error: 'no such report' });
}

const sockets = new WebSocketServer({ noServer: true, handleProtocols: (offered) => (offered.has('reports.v1') ? 'reports.v1' : false) });
const server = createServer((req, res) => {
  route(req, res).catch((error) => send(res, 500, { error: error.message }));
});
server.on('upgrade', async (req, socket, head) => {
  const who = await identity.identify(req).catch(() => ({ ok: false }));
  if (who.ok === false || new URL(req.url, 'http://origin.local').pathname !== '/reports/live') {
    return void socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
  }
  sockets.handleUpgrade(req, socket, head, (ws) => {
    ws.send(JSON.stringify({ hello: who.keyId }));
    ws.on('message', (data) => ws.send(JSON.stringify({ echo: data.toString(), keyId: who.keyId })));
  });
});
server.listen(PORT, '127.0.0.1', () => {
  const { port } = server.address();
  identity.listening(`http://127.0.0.1:${port}`);
  const mode = identity.verifying ? 'verifying keygate signatures' : 'NOT verifying (no KEYGATE_PUBLIC_JWK / KEYGATE_JWKS_URL)';
  console.log(`reports origin listening on http://127.0.0.1:${port}, ${mode}`);
});
