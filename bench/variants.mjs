// `node bench/variants.mjs`: prices each proxy cost keygate pays (header copy, origin timeout,
// no-store, response rewrap) against the bare proxy, in the same pinned workerd set-up as the
// benchmark. Three interleaved rounds of 4 s; prints medians of req/s and gateway CPU per request.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cpuMicros, pin, startOrigin, startWorker, wrk } from './lib.mjs';

const VARIANTS = ['bare', 'headers', 'timeout', 'timer-only', 'no-store', 'rewrap'];
const work = mkdtempSync(join(tmpdir(), 'keygate-variants-'));
const children = [];
pin(process.pid, 1);
const originUrl = await startOrigin(children);
const script = resolve('bench/workers/proxy-variants.js');
const results = Object.fromEntries(VARIANTS.map((v) => [v, []]));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (let round = 0; round < 3; round++) {
  for (const variant of VARIANTS) {
    const { url, pid, mf } = await startWorker(work, `v-${variant}-${round}`, script, { ORIGIN_URL: originUrl, VARIANT: variant });
    await wrk(['-t1', '-c32', '-d2s', url], {}, { raw: true });
    const before = cpuMicros(pid);
    const out = await wrk(['-t1', '-c32', '-d4s', url], {}, { raw: true });
    const after = cpuMicros(pid);
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out.stdout)[1]);
    results[variant].push({ rps, cpu: (after - before) / (rps * 4) });
    await mf.dispose();
  }
}
for (const child of children) child.kill();
rmSync(work, { recursive: true, force: true });
const base = median(results.bare.map((r) => r.cpu));
console.log('| variant | req/s | gateway CPU µs/req | Δ vs bare |\n|---|---|---|---|');
for (const v of VARIANTS) {
  const cpu = median(results[v].map((r) => r.cpu));
  console.log(
    `| ${v} | ${median(results[v].map((r) => r.rps)).toFixed(0)} | ${cpu.toFixed(1)} | ${v === 'bare' ? '—' : (cpu - base >= 0 ? '+' : '') + (cpu - base).toFixed(1)} |`,
  );
}
