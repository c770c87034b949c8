// The WebSocket rows of `npm run bench` (B0-ws, C-ws): connections per second and the time from
// the upgrade request to the first echo, through a gateway to bench/origin.mjs's echo. wrk speaks
// no WebSocket, so this is a Node client (the `ws` package): `connections` loops, each opening a
// socket, sending one message, taking the echo and closing, until the time is up.

import WebSocket from 'ws';

/** One connection: upgrade, one message, its echo; resolves with the µs from the request to the echo. */
function connectOnce(url, headers) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    ws.on('open', () => ws.send('ping'));
    ws.on('message', () => {
      resolve(Number(process.hrtime.bigint() - started) / 1000);
      ws.close(1000);
    });
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      reject(new Error(`upgrade answered ${res.statusCode}`));
    });
    ws.on('error', reject);
  });
}

function percentile(sorted, p) {
  return sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

/**
 * Connects for `seconds` over `connections` loops to `url` (the gateway's http URL; each socket
 * carries the next of `keys` as a Bearer key). wrk's figures: count, duration, errors, p50/p99 µs.
 */
export async function wsLoad(url, keys, seconds, connections) {
  const target = `${url.replace(/^http/, 'ws')}/bench`;
  const until = Date.now() + seconds * 1000;
  const latencies = [];
  let errors = 0;
  let next = 0;
  const started = process.hrtime.bigint();
  const loop = async () => {
    while (Date.now() < until) {
      const key = keys[next++ % keys.length];
      try {
        latencies.push(await connectOnce(target, { authorization: `Bearer ${key}` }));
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  const sorted = latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    duration_us: Number(process.hrtime.bigint() - started) / 1000,
    errors,
    statuses: { 101: latencies.length },
    p50_us: percentile(sorted, 0.5),
    p99_us: percentile(sorted, 0.99),
  };
}
