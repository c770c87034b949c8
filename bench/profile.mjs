// `node bench/profile.mjs [C-hit|C-neg|C-bad|C-429|B2] [seconds]`: a CPU profile of keygate (or of
// B2, the minimal authorizer, with C-hit's key) under wrk load, through workerd's inspector; prints
// the functions with the most self time. For finding hot-path costs. C-neg is the bench's C-neg (a
// well-formed key keygate does not know), C-bad a key with a broken checksum (refused before any
// lookup), C-429 a key over its quota.
// PROFILE_VARS='{"KEY_CACHE_TTL_MS":"0"}' adds bindings; DUMP=1 prints the first non-200 answers.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { ADMIN_TOKEN, bundle, minimalRecords, seedKeys, startOrigin, startWorker, wrk } from './lib.mjs';
import { DURABLE_OBJECTS } from '../scripts/durable-objects.mjs';

const which = process.argv[2] ?? 'C-neg';
const seconds = Number(process.argv[3] ?? 3);
const work = mkdtempSync(join(tmpdir(), 'keygate-prof-'));
const children = [];

const originUrl = await startOrigin(children);
const script = await bundle(work, 'src/index.ts', 'keygate', false);
const bindings = {
  ORIGIN_URL: originUrl,
  ADMIN_TOKEN,
  ROUTES: [{ method: 'GET', path: '/bench', scopes: ['bench:read'] }],
  AUTH_FAILURE_LIMIT: '0',
  ...(process.env.PROFILE_VARS ? JSON.parse(process.env.PROFILE_VARS) : {}),
};
const extra = {
  kvNamespaces: ['KEYS'],
  durableObjects: DURABLE_OBJECTS,
};
const keygate = await startWorker(work, 'kg', script, bindings, extra, which === 'B2' ? {} : { inspectorPort: 9339 });
const [key] = await seedKeys(keygate.url, 1, which === 'C-429' ? { quota: { limit: 1, period: 'month' } } : {});
const { url, mf } =
  which === 'B2'
    ? await startWorker(
        work,
        'kg-b2',
        await bundle(work, 'bench/workers/minimal-authorizer.js', 'b2', false),
        { ORIGIN_URL: originUrl, B2_KEYS: JSON.stringify(minimalRecords([key])) },
        {},
        { inspectorPort: 9339 },
      )
    : keygate;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** `text` with its checksum (src/core/key-format.ts: 6 base62 characters of CRC32). */
function withChecksum(text) {
  let v = crc32(text);
  let out = '';
  for (; v > 0; v = Math.floor(v / 62)) out = BASE62[v % 62] + out;
  return text + out.padStart(6, '0');
}
const wellFormedUnknown = withChecksum(key.slice(0, 8) + 'A'.repeat(32));
const badChecksum = key.slice(0, 8) + 'A'.repeat(32) + key.slice(-6).replace(/./, 'B');
const usedKey = which === 'C-neg' ? wellFormedUnknown : which === 'C-bad' ? badChecksum : key;
const keysFile = join(work, 'keys.txt');
writeFileSync(keysFile, usedKey + '\n');
const load = (args, env = {}, opts = {}) => wrk(args, { KEYS_FILE: keysFile, KEYS_COUNT: '1', ...env }, opts);

const targets = await (await fetch('http://127.0.0.1:9339/json')).json();
const ws = new WebSocket(
  targets.find((t) => t.title?.includes('kg') || t.id?.includes('kg'))?.webSocketDebuggerUrl ?? targets[0].webSocketDebuggerUrl,
);
await new Promise((r) => (ws.onopen = r));
let id = 0;
const pending = new Map();
ws.onmessage = (m) => {
  const msg = JSON.parse(m.data);
  pending.get(msg.id)?.(msg.result);
};
const send = (method, params = {}) =>
  new Promise((r) => {
    pending.set(++id, r);
    ws.send(JSON.stringify({ id, method, params }));
  });
await send('Profiler.enable');
await send('Profiler.setSamplingInterval', { interval: 50 });
await load(['-t1', '-c8', '-d1s', '-s', 'bench/lua/keys.lua', `${url}/bench`]);
if (process.env.DUMP)
  console.log((await load(['-t1', '-c32', '-d3s', '-s', 'bench/lua/dump.lua', `${url}/bench`], { K: usedKey }, { raw: true })).stdout);
await send('Profiler.start');
const out = await load(['-t1', '-c8', `-d${seconds}s`, '-s', 'bench/lua/keys.lua', `${url}/bench`]);
const { profile } = await send('Profiler.stop');
console.log(out.stdout.split('\n').find((l) => l.startsWith('JSON')));
const self = new Map();
let total = 0;
for (const node of profile.nodes) {
  const f = node.callFrame;
  const name = `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber}`;
  self.set(name, (self.get(name) ?? 0) + node.hitCount);
  total += node.hitCount;
}
// Self time per request, in µs of the profile's wall time (the sampler's share of each function ×
// the profiled span ÷ requests): comparable between two profiles taken alike, unlike percentages.
const requests = JSON.parse(
  out.stdout
    .split('\n')
    .find((l) => l.startsWith('JSON'))
    .slice(5),
).requests;
const spanUs = profile.endTime - profile.startTime;
const perRequest = (hits) => ((hits / total) * spanUs) / requests;
const busy = [...self].filter(([name]) => !name.startsWith('(idle)')).reduce((n, [, hits]) => n + hits, 0);
console.log(`busy (not idle): ${perRequest(busy).toFixed(1)} µs/request over ${requests} requests`);
for (const [name, hits] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 30)))
  console.log(`${((hits / total) * 100).toFixed(1).padStart(5)}% ${perRequest(hits).toFixed(1).padStart(6)} µs  ${name}`);
ws.close();
await mf.dispose();
if (mf !== keygate.mf) await keygate.mf.dispose();
for (const child of children) child.kill();
