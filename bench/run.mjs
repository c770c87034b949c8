// `npm run bench [-- --quick]`: keygate's cost per call, as ratios against a bare pass-through
// proxy (B0) and against the floor, a minimal authorizer (B2), in the same runtime. Every
// configuration runs in its own workerd (through miniflare's Node API, never `wrangler dev`) pinned
// to core 0; this process, the origin and wrk share core 1.
// Rounds are interleaved; medians with min–max are reported. Writes bench/results/<date>.{md,json}
// and bench/results/latest.md. Asserts no timing: it measures.

import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, tmpdir } from 'node:os';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TARGETS, judge, renderMarkdown, summarize } from './report.mjs';
import { wsLoad } from './ws.mjs';
import {
  ADMIN_TOKEN,
  bundle,
  bundleForWorkerd,
  captureRefusal,
  cpuMicros,
  fetchRetry,
  minimalRecords,
  pin,
  seedCustomerKeys,
  seedKeys,
  startKeygate,
  startOrigin,
  startUsageShards,
  startWorker,
  wrk,
} from './lib.mjs';

const QUICK = process.argv.includes('--quick');
const PLAN = QUICK
  ? { rounds: 1, warmupS: 1, runS: 2, latencyS: 1, keys: 200, hot: 200, ws: { warmupS: 0.3, runS: 0.7, latencyS: 0.3 } }
  : { rounds: 5, warmupS: 3, runS: 5, latencyS: 3, keys: 10_000, hot: 1_000, ws: { warmupS: 1, runS: 3, latencyS: 2 } };
/** Concurrent connection loops of the WebSocket rows (each opens, echoes once, closes, again). */
const WS_CONNECTIONS = 8;
if (process.env.BENCH_HOT) PLAN.hot = Number(process.env.BENCH_HOT); // experiments: fewer hot keys
const CONNECTIONS = 32;
/** Seconds of one request per key in turn before a cached configuration's warm-up. */
const PRIME_S = QUICK ? 1 : 2;
const work = mkdtempSync(join(tmpdir(), 'keygate-bench-'));
const children = [];

function log(...args) {
  console.error('[bench]', ...args);
}

function ensureWrk() {
  if (spawnSync('wrk', ['--version']).error === undefined) return;
  log('wrk is missing: installing it from Debian (apt-get install -y wrk)');
  execFileSync('bash', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk'], { stdio: 'inherit' });
}

const load = (url, script, seconds, connections, env = {}) =>
  wrk(['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', script, `${url}/bench`], env);

/** Durable Object calls of every kind: registry, feed replicas (change feed), limiters, usage shards. */
const doCalls = (s) => s.registryCalls + (s.replicaCalls ?? 0) + s.limiterCalls + s.usageCalls;

async function counters(url) {
  const res = await fetchRetry(`${url}/_keygate/v1/bench/counters`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  return res.json();
}

/** One round of a WebSocket row: connections/s and gateway CPU per connection under load, p50/p99 µs at c=1. */
async function wsSample({ name, worker }, keys) {
  const storage = name.startsWith('C');
  await wsLoad(worker.url, keys, PLAN.ws.warmupS, WS_CONNECTIONS); // warm-up, discarded
  const before = { cpu: cpuMicros(worker.pid), storage: storage ? await counters(worker.url) : null };
  const load = await wsLoad(worker.url, keys, PLAN.ws.runS, WS_CONNECTIONS);
  const after = { cpu: cpuMicros(worker.pid), storage: storage ? await counters(worker.url) : null };
  const idle = await wsLoad(worker.url, keys, PLAN.ws.latencyS, 1);
  return {
    rps: load.requests / (load.duration_us / 1e6),
    errors: load.errors + idle.errors,
    statuses: load.statuses,
    cpuUsPerReq: (after.cpu - before.cpu) / load.requests,
    kvReadsPerReq: storage ? (after.storage.kvReads - before.storage.kvReads) / load.requests : null,
    doCallsPerReq: storage ? (doCalls(after.storage) - doCalls(before.storage)) / load.requests : null,
    p50us: idle.p50_us,
    p99us: idle.p99_us,
  };
}

async function main() {
  ensureWrk();
  pin(process.pid, 1);
  const originUrl = await startOrigin(children);
  log(`origin ${originUrl}; building bundles`);
  const keygateScript = await bundle(work, 'src/index.ts', 'keygate');
  const bareScript = await bundle(work, 'bench/workers/bare-proxy.js', 'bare');
  const honoScript = await bundle(work, 'bench/workers/hono-proxy.ts', 'hono');
  const minimalScript = await bundle(work, 'bench/workers/minimal-authorizer.js', 'minimal');
  const rpcCallerScript = await bundleForWorkerd('bench/workers/rpc-caller.js', join(work, 'rpc-caller.js'));
  const rpcConstantScript = await bundleForWorkerd('bench/workers/rpc-constant.js', join(work, 'rpc-constant.js'));
  /** The RPC rows' caller, in the process of the Worker it calls (`target`'s KeygateVerifier entrypoint). */
  const rpcCaller = (target) => ({
    name: 'rpc-caller',
    scriptPath: rpcCallerScript,
    serviceBindings: { VERIFIER: { name: target, entrypoint: 'KeygateVerifier' } },
  });

  const keygateBindings = (extra) => ({
    ORIGIN_URL: originUrl,
    ADMIN_TOKEN,
    KEY_PREFIX: 'kg',
    ROUTES: [{ method: 'GET', path: '/bench', scopes: ['bench:read'] }],
    BENCH_MODE: 'true',
    ...extra,
  });
  // Every keygate configuration counts usage in shards of another process (lib.mjs, remoteUsage).
  const keygate = (name, vars) => startKeygate(work, name, keygateScript, keygateBindings(vars));
  const workers = {
    // B-rpc's caller and its constant entrypoint live in B0's process (idle while B0 is measured).
    B0: await startWorker(work, 'b0', bareScript, { ORIGIN_URL: originUrl }, {}, {}, [
      { name: 'rpc-constant', scriptPath: rpcConstantScript },
      rpcCaller('rpc-constant'),
    ]),
    ...(QUICK ? {} : { B1: await startWorker(work, 'b1', honoScript, { ORIGIN_URL: originUrl }) }),
    // C-verify's caller lives in C-hit's process and verifies C-hit's keys: the same caches.
    'C-hit': await startKeygate(work, 'chit', keygateScript, keygateBindings({}), undefined, [rpcCaller('chit')]),
    'C-kv': await keygate('ckv', { KEY_CACHE_TTL_MS: '0' }),
    'C-neg': await keygate('cneg', { AUTH_FAILURE_LIMIT: '0' }),
    'C-429': await keygate('c429', {}),
    // Usage counting, one Durable Object call per request (against C-hit's batched flushes).
    'C-percall': await keygate('cpercall', { USAGE_FLUSH_MS: '0' }),
    'C-lease': await keygate('clease', {}),
  };
  const shards = await startUsageShards(work, keygateScript, ['chit', 'ckv', 'cneg', 'c429', 'cpercall', 'clease']);

  log(`seeding ${PLAN.keys} keys into C-hit and C-kv`);
  const started = Date.now();
  const hitKeys = await seedKeys(workers['C-hit'].url, PLAN.keys);
  const kvKeys = await seedKeys(workers['C-kv'].url, PLAN.keys);
  const perCallKeys = await seedKeys(workers['C-percall'].url, PLAN.hot);
  log(`seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // B2 knows C-hit's keys by hash, as keygate's cache does, and is called with the same keys.
  workers.B2 = await startWorker(work, 'b2', minimalScript, { ORIGIN_URL: originUrl, B2_KEYS: JSON.stringify(minimalRecords(hitKeys)) });
  // New keys travel in the registry's change feed for 70 s, and an isolate that has them from the
  // feed never reads KV for them. Steady state is keys older than that: wait it out (full runs).
  const settle = 75_000 - (Date.now() - started);
  if (!QUICK && settle > 0) {
    log(`waiting ${(settle / 1000).toFixed(0)} s until the new keys have left the change feed`);
    await new Promise((r) => setTimeout(r, settle));
  }
  const files = {
    hit: join(work, 'hit.txt'),
    kv: join(work, 'kv.txt'),
    neg: join(work, 'neg.txt'),
    over: join(work, 'over.txt'),
    perCall: join(work, 'percall.txt'),
    lease: join(work, 'lease.txt'),
    customer: join(work, 'customer.txt'),
  };
  writeFileSync(files.hit, hitKeys.join('\n') + '\n');
  writeFileSync(files.kv, kvKeys.join('\n') + '\n');
  // C-neg: keys issued by another gateway (C-kv's) are well-formed, checksum-valid and unknown here.
  writeFileSync(files.neg, kvKeys.slice(0, 10).join('\n') + '\n');
  // C-429: a key whose monthly quota of 1 is spent by the warm-up; from then on it is refused.
  const overKeys = await seedKeys(workers['C-429'].url, 1, { quota: { limit: 1, period: 'month' } });
  writeFileSync(files.over, overKeys.join('\n') + '\n');
  writeFileSync(files.perCall, perCallKeys.join('\n') + '\n');
  // C-lease: one key with a quota it never reaches, called by every connection: exact limits, few DO calls.
  const leaseKeys = await seedKeys(workers['C-lease'].url, 1, { quota: { limit: 1_000_000_000, period: 'month' } });
  writeFileSync(files.lease, leaseKeys.join('\n') + '\n');
  // C-customer: four keys of one customer whose quota they share, on C-lease's worker: one lease serves them all.
  const customerKeys = await seedCustomerKeys(workers['C-lease'].url, 4, { quota: { limit: 1_000_000_000, period: 'month' } });
  writeFileSync(files.customer, customerKeys.join('\n') + '\n');
  // B2-401 and B2-429: B2 answering C-neg's and C-429's keys with keygate's own refusals, captured
  // here (the same status, headers and body; a fresh request id each call). Full runs only.
  if (!QUICK) {
    const [overHash] = minimalRecords(overKeys).map((r) => r.hash);
    const refusals = {
      unknown: await captureRefusal(workers['C-neg'].url, kvKeys[0], 401),
      known: { [overHash]: await captureRefusal(workers['C-429'].url, overKeys[0], 429) },
    };
    workers.B2p = await startWorker(work, 'b2p', minimalScript, {
      ORIGIN_URL: originUrl,
      B2_KEYS: JSON.stringify(minimalRecords(hitKeys)),
      B2_REFUSALS: JSON.stringify(refusals),
    });
  }

  const allConfigs = [
    { name: 'A', url: originUrl, script: 'bench/lua/plain.lua', env: {} },
    { name: 'B0', worker: workers.B0, script: 'bench/lua/plain.lua', env: {} },
    { name: 'B1', worker: workers.B1, script: 'bench/lua/plain.lua', env: {} },
    // B2's lookups are Map hits from its first call: no priming pass is needed.
    { name: 'B2', worker: workers.B2, script: 'bench/lua/keys.lua', env: { KEYS_FILE: files.hit, KEYS_COUNT: String(PLAN.hot) } },
    {
      name: 'C-hit',
      worker: workers['C-hit'],
      script: 'bench/lua/keys.lua',
      env: { KEYS_FILE: files.hit, KEYS_COUNT: String(PLAN.hot) },
      prime: true,
    },
    {
      name: 'C-kv',
      worker: workers['C-kv'],
      script: 'bench/lua/keys.lua',
      env: { KEYS_FILE: files.kv, KEYS_COUNT: String(PLAN.keys), KEYS_DIST: 'uniform' },
    },
    // The floor of a refusal: B2 called with C-neg's keys, unknown to it — the header, SHA-256, a Map
    // miss and a bare 401 (no body, no headers, nothing counted or logged).
    { name: 'B2-neg', worker: workers.B2, script: 'bench/lua/keys.lua', env: { KEYS_FILE: files.neg, KEYS_COUNT: '10' } },
    // The floor of keygate's refusals on the wire: the same, answered with keygate's own bytes.
    { name: 'B2-401', worker: workers.B2p, script: 'bench/lua/keys.lua', env: { KEYS_FILE: files.neg, KEYS_COUNT: '10' } },
    { name: 'B2-429', worker: workers.B2p, script: 'bench/lua/keys.lua', env: { KEYS_FILE: files.over, KEYS_COUNT: '1' } },
    { name: 'C-neg', worker: workers['C-neg'], script: 'bench/lua/keys.lua', env: { KEYS_FILE: files.neg, KEYS_COUNT: '10' } },
    { name: 'C-429', worker: workers['C-429'], script: 'bench/lua/keys.lua', env: { KEYS_FILE: files.over, KEYS_COUNT: '1' } },
    {
      name: 'C-percall',
      worker: workers['C-percall'],
      script: 'bench/lua/keys.lua',
      env: { KEYS_FILE: files.perCall, KEYS_COUNT: String(PLAN.hot) },
      prime: true,
    },
    { name: 'C-lease', worker: workers['C-lease'], script: 'bench/lua/keys.lua', env: { KEYS_FILE: files.lease, KEYS_COUNT: '1' } },
    { name: 'C-customer', worker: workers['C-lease'], script: 'bench/lua/keys.lua', env: { KEYS_FILE: files.customer, KEYS_COUNT: '4' } },
    // The RPC verifier without proxying (issue 17): a caller Worker asks KeygateVerifier about each
    // call and answers itself; B-rpc is the same caller against an entrypoint returning a constant.
    {
      name: 'B-rpc',
      worker: workers.B0,
      url: workers.B0.urls['rpc-caller'],
      script: 'bench/lua/keys.lua',
      env: { KEYS_FILE: files.hit, KEYS_COUNT: String(PLAN.hot) },
    },
    {
      name: 'C-verify',
      worker: workers['C-hit'],
      url: workers['C-hit'].urls['rpc-caller'],
      script: 'bench/lua/keys.lua',
      env: { KEYS_FILE: files.hit, KEYS_COUNT: String(PLAN.hot) },
      // In --quick its keys are cached by C-hit's run just before: no warm-up (the row's ≤ 3 s).
      quickNoWarmup: true,
    },
  ];

  // --quick (CI's smoke run, held under 60 s) leaves out the rows no target reads: the origin
  // direct (A), the Hono proxy (B1), the bare RPC call (B-rpc) and B2's refusals (B2-neg, B2-401, B2-429).
  const FULL_ONLY = ['A', 'B1', 'B-rpc', 'B2-neg', 'B2-401', 'B2-429'];
  const configs = QUICK ? allConfigs.filter((c) => !FULL_ONLY.includes(c.name)) : allConfigs;
  // WebSocket connect (upgrade, first echo, close) through B0 and through C-hit's keygate, with C-hit's keys.
  const wsConfigs = [
    { name: 'B0-ws', worker: workers.B0 },
    { name: 'C-ws', worker: workers['C-hit'] },
  ];
  const samples = Object.fromEntries([...configs, ...wsConfigs].map((c) => [c.name, []]));
  for (let round = 1; round <= PLAN.rounds; round++) {
    for (const config of configs) {
      // A row's own URL (A, the RPC callers), else its worker's; counters are always the worker's.
      const url = config.url ?? config.worker.url;
      // "Cached" means every key of the set: rounds are further apart than the cache TTL, and a
      // Zipf warm-up alone would leave rare keys to be read from KV inside the measurement.
      if (config.prime) await load(url, config.script, PRIME_S, CONNECTIONS, { ...config.env, KEYS_DIST: 'cycle' });
      if (!(QUICK && config.quickNoWarmup)) await load(url, config.script, PLAN.warmupS, CONNECTIONS, config.env); // warm-up, discarded
      const before = config.worker
        ? { cpu: cpuMicros(config.worker.pid), storage: config.name.startsWith('C') ? await counters(config.worker.url) : null }
        : null;
      const run = await load(url, config.script, PLAN.runS, CONNECTIONS, config.env);
      const after = config.worker
        ? { cpu: cpuMicros(config.worker.pid), storage: config.name.startsWith('C') ? await counters(config.worker.url) : null }
        : null;
      const idle = await load(url, config.script, PLAN.latencyS, 1, config.env);
      const sample = {
        rps: run.requests / (run.duration_us / 1e6),
        errors: run.errors + idle.errors,
        statuses: run.statuses,
        cpuUsPerReq: before ? (after.cpu - before.cpu) / run.requests : null,
        kvReadsPerReq: before?.storage ? (after.storage.kvReads - before.storage.kvReads) / run.requests : null,
        doCallsPerReq: before?.storage ? (doCalls(after.storage) - doCalls(before.storage)) / run.requests : null,
        p50us: idle.p50_us,
        p99us: idle.p99_us,
      };
      samples[config.name].push(sample);
      log(
        `round ${round} ${config.name}: ${sample.rps.toFixed(0)} req/s, p50 ${sample.p50us} µs, statuses ${JSON.stringify(sample.statuses)}`,
      );
    }
    for (const config of wsConfigs) {
      const sample = await wsSample(config, hitKeys.slice(0, PLAN.hot));
      samples[config.name].push(sample);
      log(`round ${round} ${config.name}: ${sample.rps.toFixed(0)} connections/s, p50 ${sample.p50us.toFixed(0)} µs to the first echo`);
    }
  }

  const workerdVersion = execFileSync('npx', ['workerd', '--version']).toString().trim();
  const result = {
    date: new Date().toISOString(),
    quick: QUICK,
    plan: { ...PLAN, connections: CONNECTIONS, tool: 'wrk -t1' },
    machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, workerd: workerdVersion },
    configs: summarize(samples),
  };
  result.targets = judge(result.configs, TARGETS);
  mkdirSync('bench/results', { recursive: true });
  const stamp = result.date.slice(0, 19).replace(/[:T]/g, '-');
  const md = renderMarkdown(result);
  const suffix = QUICK ? '-quick' : '';
  writeFileSync(`bench/results/${stamp}${suffix}.json`, JSON.stringify({ ...result, samples }, null, 2) + '\n');
  writeFileSync(`bench/results/${stamp}${suffix}.md`, md);
  if (!QUICK) writeFileSync('bench/results/latest.md', md);
  console.log(md);
  for (const w of Object.values(workers)) await w.mf.dispose();
  await shards.mf.dispose();
}

try {
  await main();
} finally {
  for (const child of children) child.kill();
  rmSync(work, { recursive: true, force: true });
}
