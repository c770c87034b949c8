// `node bench/ingest.mjs [git-ref] [keys] [rounds]`: CPU µs per call of UsageShard.ingest alone,
// the UsageShard built from <git-ref> (A) and from the working tree (B), each in a pinned workerd
// fed synthetic batches shaped like C-hit's (bench/workers/ingest.ts: 500 calls a batch, Zipf over
// `keys` keys), in alternating rounds after a warm-up that fills the request logs. ab.mjs measures
// whole requests, where ingest is a few percent of the CPU; this measures it alone. Prints medians.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundle, cpuMicros, pin, startWorker } from './lib.mjs';

const [ref = 'HEAD', keys = '100', roundsArg = '7'] = process.argv.slice(2);
const rounds = Number(roundsArg);
const CALLS = 500;
const BATCHES = 10;
const work = mkdtempSync(join(tmpdir(), 'keygate-ingest-'));
const median = (v) => v.slice().sort((a, b) => a - b)[Math.floor(v.length / 2)];

try {
  pin(process.pid, 1);
  const old = join(process.cwd(), '.bench-ab-old');
  rmSync(old, { recursive: true, force: true });
  execFileSync('git', ['worktree', 'add', '--detach', old, ref], { stdio: 'ignore' });
  const workers = {};
  for (const [name, root] of [
    ['A', old],
    ['B', process.cwd()],
  ]) {
    const entry = join(work, `${name}-entry.ts`);
    writeFileSync(
      entry,
      `export { UsageShard } from ${JSON.stringify(join(root, 'src/objects/usage/object.ts'))};\n` +
        `export { default } from ${JSON.stringify(resolve('bench/workers/ingest.ts'))};\n`,
    );
    const script = await bundle(work, entry, name.toLowerCase());
    workers[name] = await startWorker(
      work,
      name.toLowerCase(),
      script,
      {},
      { durableObjects: { USAGE: { className: 'UsageShard', useSQLite: true } } },
    );
  }
  execFileSync('git', ['worktree', 'remove', '--force', old], { stdio: 'ignore' });
  const cpuPerCall = async (w, batches, ingest) => {
    const before = cpuMicros(w.pid);
    const response = await fetch(`${w.url}/?batches=${batches}&calls=${CALLS}&keys=${keys}&ingest=${ingest}`);
    if (!response.ok) throw new Error(await response.text());
    await response.text();
    return (cpuMicros(w.pid) - before) / (batches * CALLS);
  };
  // Warm-up: about 300 calls per key, so the hot keys' logs are full and trimmed.
  for (const w of Object.values(workers)) for (let n = 0; n < (300 * Number(keys)) / CALLS; n += 50) await cpuPerCall(w, 50, 1);
  const results = { A: [], B: [] };
  for (let r = 0; r < rounds; r++) {
    for (const name of r % 2 ? ['B', 'A'] : ['A', 'B']) {
      const w = workers[name];
      results[name].push((await cpuPerCall(w, BATCHES, 1)) - (await cpuPerCall(w, BATCHES, 0)));
    }
  }
  for (const name of ['A', 'B']) {
    const runs = results[name].map((x) => x.toFixed(1)).join(' ');
    console.log(
      `${name} (${name === 'A' ? ref : 'working tree'}) ingest, ${keys} keys: ${median(results[name]).toFixed(1)} µs CPU/call (rounds: ${runs})`,
    );
  }
  for (const w of Object.values(workers)) await w.mf.dispose();
} finally {
  rmSync(work, { recursive: true, force: true });
}
