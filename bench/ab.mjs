// `node bench/ab.mjs <git-ref> [C-neg|C-429|C-hit] [rounds]`: the same configuration of keygate built
// from <git-ref> (A) and from the working tree (B), in two pinned workerd processes, measured in
// alternating rounds — for judging one hot-path change on this noisy machine. Prints medians of
// throughput and CPU at 32 connections and of p50 latency at 1. `B2` as the ref makes A the
// minimal authorizer (bench/workers/minimal-authorizer.js) called with B's traffic: C-hit against
// its floor, and C-neg and C-429 against B2 answering with the refusal B sends (captured from B: the
// same status, headers and body), in the same rounds. Both sides count usage in shards of another
// process (lib.mjs).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ADMIN_TOKEN,
  bundle,
  captureRefusal,
  minimalRecords,
  cpuMicros,
  pin,
  seedKeys,
  startKeygate,
  startOrigin,
  startUsageShards,
  startWorker,
  wrk,
} from './lib.mjs';
import { DURABLE_OBJECTS } from '../scripts/durable-objects.mjs';

const [ref = 'HEAD', which = 'C-neg', roundsArg = '7'] = process.argv.slice(2);
const rounds = Number(roundsArg);
const work = mkdtempSync(join(tmpdir(), 'keygate-ab-'));
const children = [];
const median = (v) => v.slice().sort((a, b) => a - b)[Math.floor(v.length / 2)];

try {
  pin(process.pid, 1);
  const originUrl = await startOrigin(children);
  const floor = ref === 'B2';
  // Inside the repository, so the old sources resolve this checkout's node_modules.
  const old = join(process.cwd(), '.bench-ab-old');
  let oldObjects = DURABLE_OBJECTS;
  const scripts = { B: await bundle(work, 'src/index.ts', 'b') };
  if (floor) scripts.A = await bundle(work, 'bench/workers/minimal-authorizer.js', 'a');
  else {
    rmSync(old, { recursive: true, force: true });
    execFileSync('git', ['worktree', 'add', '--detach', old, ref], { stdio: 'ignore' });
    scripts.A = await bundle(work, join(old, 'src/index.ts'), 'a');
    // Each build with the Durable Objects its own wrangler.toml had.
    oldObjects = (await import(join(old, 'scripts/durable-objects.mjs'))).DURABLE_OBJECTS;
    execFileSync('git', ['worktree', 'remove', '--force', old], { stdio: 'ignore' });
  }
  const bindings = {
    ORIGIN_URL: originUrl,
    ADMIN_TOKEN,
    ROUTES: [{ method: 'GET', path: '/bench', scopes: ['bench:read'] }],
    AUTH_FAILURE_LIMIT: '0',
    BENCH_MODE: 'true',
  };
  const keygate = (name, script, objects) => startKeygate(work, name, script, bindings, objects);
  // The shards first, so that no gateway's first flush finds no shard.
  const shards = await startUsageShards(work, scripts.B, floor ? ['b'] : ['a', 'b']);
  const workers = { B: await keygate('b', scripts.B, DURABLE_OBJECTS) };
  // C-hit: 100 keys; C-neg: 10 keys each gateway does not know; C-429: one key over its quota of 1
  // (spent by the first call of the first warm-up).
  const seed = (url) =>
    which === 'C-429' ? seedKeys(url, 1, { quota: { limit: 1, period: 'month' } }) : seedKeys(url, which === 'C-neg' ? 10 : 100);
  const keysB = await seed(workers.B.url);
  let keysA;
  if (floor) {
    // C-neg's unknown keys come from a gateway of their own, known to neither side.
    if (which === 'C-neg') {
      const mint = await startWorker(work, 'mint', scripts.B, bindings, { kvNamespaces: ['KEYS'], durableObjects: DURABLE_OBJECTS });
      keysA = await seedKeys(mint.url, 10);
      await mint.mf.dispose();
    } else keysA = keysB;
    const refusals =
      which === 'C-hit'
        ? undefined
        : which === 'C-neg'
          ? { unknown: await captureRefusal(workers.B.url, keysA[0], 401), known: {} }
          : { known: { [minimalRecords(keysB)[0].hash]: await captureRefusal(workers.B.url, keysB[0], 429) } };
    workers.A = await startWorker(work, 'a', scripts.A, {
      ORIGIN_URL: originUrl,
      // C-hit's keys are B2's; C-429's over key is not (B2 answers it with B's 429).
      B2_KEYS: JSON.stringify(minimalRecords(which === 'C-hit' ? keysB : [])),
      ...(refusals === undefined ? {} : { B2_REFUSALS: JSON.stringify(refusals) }),
    });
  } else {
    workers.A = await keygate('a', scripts.A, oldObjects);
    keysA = await seed(workers.A.url);
  }
  // C-neg: each side gets keys it does not know (the other gateway's, or the mint's against B2); else its own.
  const files = { A: join(work, 'a.txt'), B: join(work, 'b.txt') };
  const own = { A: floor ? keysB : keysA, B: keysB };
  const unknown = { A: floor ? keysA : keysB, B: keysA };
  for (const name of ['A', 'B']) writeFileSync(files[name], (which === 'C-neg' ? unknown[name] : own[name]).join('\n') + '\n');
  const results = { A: { rps: [], cpu: [], p50: [], statuses: {} }, B: { rps: [], cpu: [], p50: [], statuses: {} } };
  for (let r = 0; r < rounds; r++) {
    for (const name of r % 2 ? ['B', 'A'] : ['A', 'B']) {
      const w = workers[name];
      const run = (s, connections = 32) =>
        wrk(['-t1', `-c${connections}`, `-d${s}s`, '-s', 'bench/lua/keys.lua', `${w.url}/bench`], {
          KEYS_FILE: files[name],
          KEYS_COUNT: '100',
        });
      await run(1);
      const before = cpuMicros(w.pid);
      const load = await run(4);
      results[name].rps.push(load.requests / (load.duration_us / 1e6));
      for (const [status, n] of Object.entries(load.statuses)) results[name].statuses[status] = (results[name].statuses[status] ?? 0) + n;
      results[name].cpu.push((cpuMicros(w.pid) - before) / load.requests);
      results[name].p50.push((await run(2, 1)).p50_us);
    }
  }
  for (const name of ['A', 'B']) {
    console.log(
      `${name} (${name === 'A' ? (floor ? 'B2 minimal authorizer' : ref) : 'working tree'}) ${which}: ${median(results[name].rps).toFixed(0)} req/s, ${median(results[name].cpu).toFixed(1)} µs CPU/req, unloaded p50 ${median(results[name].p50)} µs, statuses ${JSON.stringify(results[name].statuses)}`,
    );
  }
  // Paired per round: B's throughput over A's and B's CPU minus A's, round by round, then the median.
  const ratios = results.B.rps.map((rps, i) => rps / results.A.rps[i]);
  const deltas = results.B.cpu.map((cpu, i) => cpu - results.A.cpu[i]);
  console.log(
    `B against A, paired by round: ${median(ratios).toFixed(2)}× throughput (rounds ${ratios.map((x) => x.toFixed(2)).join(' ')}), ` +
      `${median(deltas) >= 0 ? '+' : ''}${median(deltas).toFixed(1)} µs CPU/req (rounds ${deltas.map((x) => x.toFixed(0)).join(' ')})`,
  );
  for (const w of Object.values(workers)) await w.mf.dispose();
  await shards.mf.dispose();
} finally {
  for (const c of children) c.kill();
  rmSync(work, { recursive: true, force: true });
}
