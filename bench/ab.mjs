// `node bench/ab.mjs <git-ref> [C-neg|C-hit] [rounds]`: the same configuration of keygate built from
// <git-ref> (A) and from the working tree (B), in two pinned workerd processes, measured in
// alternating rounds — for judging one hot-path change on this noisy machine. Prints medians of
// throughput and CPU at 32 connections and of p50 latency at 1. `B2` as the ref makes A the
// minimal authorizer (bench/workers/minimal-authorizer.js) called with B's keys: C-hit against its
// floor, in the same rounds. Both sides count usage in shards of another process (lib.mjs).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ADMIN_TOKEN,
  bundle,
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
  const keysB = await seedKeys(workers.B.url, which === 'C-neg' ? 10 : 100);
  if (floor) {
    workers.A = await startWorker(work, 'a', scripts.A, { ORIGIN_URL: originUrl, B2_KEYS: JSON.stringify(minimalRecords(keysB)) });
  } else workers.A = await keygate('a', scripts.A, oldObjects);
  const keysA = floor ? keysB : await seedKeys(workers.A.url, which === 'C-neg' ? 10 : 100);
  // C-neg: each gateway gets the other's keys (well-formed, unknown); C-hit: its own.
  const files = { A: join(work, 'a.txt'), B: join(work, 'b.txt') };
  writeFileSync(files.A, (which === 'C-neg' ? keysB : keysA).join('\n') + '\n');
  writeFileSync(files.B, (which === 'C-neg' ? keysA : keysB).join('\n') + '\n');
  const results = { A: { rps: [], cpu: [], p50: [] }, B: { rps: [], cpu: [], p50: [] } };
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
      results[name].cpu.push((cpuMicros(w.pid) - before) / load.requests);
      results[name].p50.push((await run(2, 1)).p50_us);
    }
  }
  for (const name of ['A', 'B']) {
    console.log(
      `${name} (${name === 'A' ? (floor ? 'B2 minimal authorizer' : ref) : 'working tree'}) ${which}: ${median(results[name].rps).toFixed(0)} req/s, ${median(results[name].cpu).toFixed(1)} µs CPU/req, unloaded p50 ${median(results[name].p50)} µs`,
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
