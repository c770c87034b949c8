// Is a refused known key (revoked, disabled) answered slower than an unknown one?
// Runs the built bundle (dist/, `npm run build`) in workerd through miniflare on a loopback https
// socket, and times N calls of each kind (unknown, revoked, disabled, expired), interleaved in random
// order so that drift and load hit every kind alike; prints medians and p90 in ms. Not a test: timing is
// never asserted (see test/refusal-timing.test.ts for the structural check).
//
//   node scripts/refusal-timing.mjs [N=1000]
//   KEYGATE_URL=https://localhost:8787 KEYGATE_ADMIN_TOKEN=… node scripts/refusal-timing.mjs [N]
//     (the same against a running keygate under wrangler's dev server, which prints every log line:
//     where the issue's ~4 ms came from; it needs AUTH_FAILURE_LIMIT=0 there, or the address is
//     blocked after 100 refusals)
//   KEYGATE_BUNDLE=other/dist/index.js node scripts/refusal-timing.mjs   (another build, to compare)

import { Agent, request } from 'undici';
import { convertV4MiniflareOptions, Miniflare } from 'miniflare';
import { DURABLE_OBJECTS } from './durable-objects.mjs';
import { generateKey } from '../src/core/key-format.ts';

const N = Number(process.argv[2] ?? 1000);
const TOKEN = process.env.KEYGATE_ADMIN_TOKEN ?? 'timing-admin-token-0123456789abcdef';
const dispatcher = new Agent({ connect: { rejectUnauthorized: false }, connections: 1, pipelining: 1 });

const mf = process.env.KEYGATE_URL
  ? undefined
  : new Miniflare(
      convertV4MiniflareOptions({
        host: '127.0.0.1',
        port: 0,
        https: true,
        workers: [
          {
            name: 'keygate',
            modules: true,
            scriptPath: process.env.KEYGATE_BUNDLE ?? 'dist/index.js',
            compatibilityDate: '2026-11-01',
            kvNamespaces: ['KEYS'],
            durableObjects: DURABLE_OBJECTS,
            bindings: {
              ORIGIN_URL: 'http://127.0.0.1:9',
              LOCAL_DEV: 'true',
              ADMIN_TOKEN: TOKEN,
              KEY_PREFIX: 'kg',
              AUTH_FAILURE_LIMIT: '0',
            },
          },
        ],
      }),
    );
const base = (process.env.KEYGATE_URL ?? (await mf.ready).toString()).replace(/\/$/, '');

async function call(method, path, headers = {}, body) {
  const res = await request(base + path, { method, headers, body, dispatcher });
  const text = await res.body.text();
  return { status: res.statusCode, text };
}
const admin = (method, path, body) =>
  call(method, `/_keygate/v1${path}`, { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, JSON.stringify(body ?? {}));

const project = JSON.parse((await admin('POST', '/projects', { name: 'timing' })).text);
const newKey = async () => JSON.parse((await admin('POST', `/projects/${project.id}/keys`, { name: 'k', scopes: [] })).text);
const revoked = await newKey();
await admin('POST', `/keys/${revoked.id}/revoke`);
const disabled = await newKey();
await admin('PATCH', `/keys/${disabled.id}`, { enabled: false });
const expired = JSON.parse(
  (await admin('POST', `/projects/${project.id}/keys`, { name: 'k', scopes: [], expiresAt: new Date(Date.now() + 1500).toISOString() }))
    .text,
);
await new Promise((r) => setTimeout(r, 1600));
// An unknown key: well-formed with a valid checksum, so it is looked up like the others.
const unknown = generateKey('kg', 'live');

const kinds = { unknown, revoked: revoked.key, disabled: disabled.key, expired: expired.key };
const times = Object.fromEntries(Object.keys(kinds).map((k) => [k, []]));
for (const [kind, key] of Object.entries(kinds)) {
  const res = await call('GET', '/forms/1', { authorization: `Bearer ${key}` }); // warm the cache
  if (res.status !== 401) throw new Error(`${kind}: expected 401, got ${res.status}`);
}
// Each round takes the kinds in a fresh random order and pauses after each call, so that what a call
// leaves to run after its response (waitUntil) never lands in the time of the one measured next.
const order = Object.keys(kinds);
for (let i = 0; i < N; i++) {
  for (let j = order.length - 1; j > 0; j--) {
    const k = Math.floor(Math.random() * (j + 1));
    [order[j], order[k]] = [order[k], order[j]];
  }
  for (const kind of order) {
    const started = process.hrtime.bigint();
    const res = await call('GET', '/forms/1', { authorization: `Bearer ${kinds[kind]}` });
    times[kind].push(Number(process.hrtime.bigint() - started) / 1e6);
    if (res.status !== 401) throw new Error(`${kind}: expected 401, got ${res.status}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
await mf?.dispose();
const q = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
for (const [kind, xs] of Object.entries(times)) {
  console.log(`${kind.padEnd(9)} n=${xs.length}  median ${q(xs, 0.5).toFixed(3)} ms  p90 ${q(xs, 0.9).toFixed(3)} ms`);
}
