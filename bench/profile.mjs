// `node bench/profile.mjs [C-hit|C-neg] [seconds]`: a CPU profile of keygate under wrk load, through
// workerd's inspector; prints the functions with the most self time. For finding hot-path costs.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { build } from 'esbuild';
import { convertV4MiniflareOptions, Miniflare } from 'miniflare';

const which = process.argv[2] ?? 'C-neg';
const seconds = Number(process.argv[3] ?? 3);
const work = mkdtempSync(join(tmpdir(), 'keygate-prof-'));
const TOKEN = 'bench-admin-token-0123456789abcdef';

const origin = spawn(process.execPath, ['bench/origin.mjs', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise((r) => origin.stdout.on('data', (d) => r(/PORT (\d+)/.exec(String(d))[1])));
const shim = join(work, 'shim.js');
const target = JSON.stringify(resolve('src/index.ts'));
writeFileSync(
  shim,
  `import t from ${target};\nexport * from ${target};\nexport default { fetch(r, e, c) { return t.fetch(new Request('https' + r.url.slice(4), r), e, c); } };\n`,
);
const script = join(work, 'keygate.js');
await build({
  entryPoints: [shim],
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  conditions: ['workerd', 'worker', 'browser'],
  outfile: script,
  external: ['cloudflare:*', 'node:*'],
  logLevel: 'silent',
});
const mf = new Miniflare(
  convertV4MiniflareOptions({
    host: '127.0.0.1',
    port: 0,
    inspectorPort: 9339,
    resourcePersistencePath: join(work, 'state'),
    workers: [
      {
        name: 'kg',
        modules: true,
        scriptPath: script,
        modulesRoot: dirname(script),
        compatibilityDate: '2026-11-01',
        bindings: {
          ORIGIN_URL: `http://127.0.0.1:${port}`,
          ADMIN_TOKEN: TOKEN,
          ROUTES: [{ method: 'GET', path: '/bench', scopes: ['bench:read'] }],
          AUTH_FAILURE_LIMIT: '0',
          ...(process.env.PROFILE_VARS ? JSON.parse(process.env.PROFILE_VARS) : {}),
        },
        kvNamespaces: ['KEYS'],
        durableObjects: { REGISTRY: { className: 'Registry', useSQLite: true }, LIMITER: { className: 'KeyLimiter', useSQLite: true } },
        unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
      },
    ],
  }),
);
await mf.ready;
const url = (await mf.unsafeGetDirectURL('kg')).toString().replace(/\/$/, '');
const admin = (path, body) =>
  fetch(`${url}/_keygate/v1${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then((r) => r.json());
const project = await admin('/projects', { name: 'p' });
const key = (await admin(`/projects/${project.id}/keys`, { name: 'k', scopes: ['bench:read'] })).key;
const usedKey = which === 'C-hit' ? key : key.slice(0, 8) + 'A'.repeat(32) + key.slice(-6).replace(/./, 'B');
const keysFile = join(work, 'keys.txt');
writeFileSync(keysFile, usedKey + '\n');

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
spawnSync('wrk', ['-t1', '-c8', '-d1s', '-s', 'bench/lua/keys.lua', `${url}/bench`], {
  env: { ...process.env, KEYS_FILE: keysFile, KEYS_COUNT: '1' },
});
if (process.env.DUMP) {
  console.log(
    spawnSync('wrk', ['-t1', '-c32', '-d3s', '-s', '/tmp/exp/dump500.lua', `${url}/bench`], {
      env: { ...process.env, K: usedKey },
      encoding: 'utf8',
    }).stdout,
  );
}
await send('Profiler.start');
const out = spawnSync('wrk', ['-t1', '-c8', `-d${seconds}s`, '-s', 'bench/lua/keys.lua', `${url}/bench`], {
  env: { ...process.env, KEYS_FILE: keysFile, KEYS_COUNT: '1' },
  encoding: 'utf8',
});
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
for (const [name, hits] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30))
  console.log(`${((hits / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
ws.close();
await mf.dispose();
origin.kill();
