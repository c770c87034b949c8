// The benchmark origin: a separate, cheap process answering every request with a small 200,
// after `delayMs` (argv[3]; the edge harness's origin round trip, 0 for `npm run bench`), and
// every WebSocket upgrade with an echo (the `ws` package; bench/ws.mjs's rows).
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const port = Number(process.argv[2] ?? 0);
const delayMs = Number(process.argv[3] ?? 0);
const body = Buffer.from('{"ok":true}');
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const answer = () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
    };
    if (delayMs > 0) setTimeout(answer, delayMs);
    else answer();
  });
});
const sockets = new WebSocketServer({ noServer: true, perMessageDeflate: false });
server.on('upgrade', (req, socket, head) =>
  sockets.handleUpgrade(req, socket, head, (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }))),
);
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => console.log(`PORT ${server.address().port}`));
