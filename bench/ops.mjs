// `node bench/ops.mjs [op ...]`: CPU µs of single Workers API operations in the benchmark's pinned
// workerd (see bench/workers/ops.js), the empty loop subtracted. Minimum of 7 interleaved runs:
// the cost an operation cannot go below, for choosing between spellings of one step.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleForWorkerd, cpuMicros, pin, startOrigin, startWorker } from './lib.mjs';

const SYNC = [
  'timer',
  'abort-timer',
  'signal-timeout',
  'headers-append',
  'headers-pairs',
  'headers-object',
  'headers-iterate',
  'headers-get',
  'uuid',
  'new-url',
  'new-request',
  'response-new',
  'digest',
  'microtask',
  'body-read',
  'body-bytes',
  'timer-turn',
  'headers-request-before',
  'headers-request-pairs',
];
const FETCH = [
  'fetch-plain',
  'fetch-nostore',
  'fetch-signal',
  'fetch-signal-timeout',
  'fetch-rewrap-iterate',
  'fetch-rewrap-copy',
  'fetch-relay-strip',
  'fetch-relay-pairs',
  'fetch-read-first',
  'fetch-stream',
  'fetch-headers',
  'fetch-pairs',
];
const ops = process.argv.slice(2).length > 0 ? process.argv.slice(2) : [...SYNC, ...FETCH];
const work = mkdtempSync(join(tmpdir(), 'keygate-ops-'));
const children = [];
try {
  pin(process.pid, 1);
  const originUrl = await startOrigin(children);
  const { url, pid, mf } = await startWorker(work, 'ops', await bundleForWorkerd(resolve('bench/workers/ops.js'), join(work, 'ops.js')), {
    ORIGIN_URL: originUrl,
  });
  const cost = async (op, n) => {
    const before = cpuMicros(pid);
    const response = await fetch(`${url}/?op=${op}&n=${n}`, { headers: { authorization: 'Bearer x', accept: '*/*' } });
    if (!response.ok) throw new Error(await response.text());
    await response.text();
    return cpuMicros(pid) - before;
  };
  const runs = Object.fromEntries(ops.map((op) => [op, []]));
  const empty = { sync: [], fetch: [] };
  for (let round = 0; round < 7; round++) {
    empty.sync.push(await cost('none', 8_000));
    empty.fetch.push(await cost('none', 1_000));
    for (const op of ops) {
      const n = op.startsWith('fetch') ? 1_000 : 8_000;
      runs[op].push((await cost(op, n)) / n);
    }
  }
  const base = { sync: Math.min(...empty.sync) / 8_000, fetch: Math.min(...empty.fetch) / 1_000 };
  console.log('| operation | CPU µs (min of 7) | median |\n|---|---|---|');
  for (const op of ops) {
    const b = op.startsWith('fetch') ? base.fetch : base.sync;
    const sorted = runs[op].slice().sort((x, y) => x - y);
    console.log(`| ${op} | ${(sorted[0] - b).toFixed(2)} | ${(sorted[3] - b).toFixed(2)} |`);
  }
  await mf.dispose();
} finally {
  for (const child of children) child.kill();
  rmSync(work, { recursive: true, force: true });
}
