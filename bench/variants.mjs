// `node bench/variants.mjs`: prices each proxy cost keygate pays (header copy, origin timeout,
// no-store, response rewrap) against the bare proxy, in the same pinned workerd set-up as the
// benchmark. Three interleaved rounds of 4 s; prints medians of req/s and gateway CPU per request.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { convertV4MiniflareOptions, Miniflare } from 'miniflare';

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
const VARIANTS = ['bare', 'headers', 'timeout', 'timer-only', 'no-store', 'rewrap'];
execFileSync('taskset', ['-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
const origin = spawn(process.execPath, ['bench/origin.mjs', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise((r) => origin.stdout.on('data', (d) => r(/PORT (\d+)/.exec(String(d))[1])));
const script = resolve('bench/workers/proxy-variants.js');
const results = Object.fromEntries(VARIANTS.map((v) => [v, []]));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (let round = 0; round < 3; round++) {
  for (const variant of VARIANTS) {
    const mf = new Miniflare(
      convertV4MiniflareOptions({
        host: '127.0.0.1',
        port: 0,
        workers: [
          {
            name: 'v',
            modules: true,
            scriptPath: script,
            modulesRoot: resolve('bench/workers'),
            compatibilityDate: '2026-11-01',
            bindings: { ORIGIN_URL: `http://127.0.0.1:${port}`, VARIANT: variant },
            unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
          },
        ],
      }),
    );
    await mf.ready;
    const url = (await mf.unsafeGetDirectURL('v')).toString();
    const pid = spawnSync('ps', ['--ppid', String(process.pid), '-o', 'pid=,comm='])
      .stdout.toString()
      .trim()
      .split('\n')
      .filter((l) => l.includes('workerd'))
      .map((l) => l.trim().split(/\s+/)[0])
      .pop();
    execFileSync('taskset', ['-a', '-p', '-c', '0', pid], { stdio: 'ignore' });
    spawnSync('wrk', ['-t1', '-c32', '-d2s', url]);
    const cpu = () => {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return ((Number(f[11]) + Number(f[12])) * 1e6) / CLK_TCK;
    };
    const before = cpu();
    const out = spawnSync('wrk', ['-t1', '-c32', '-d4s', url], { encoding: 'utf8' });
    const after = cpu();
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out.stdout)[1]);
    results[variant].push({ rps, cpu: (after - before) / (rps * 4) });
    await mf.dispose();
  }
}
origin.kill();
const base = median(results.bare.map((r) => r.cpu));
console.log('| variant | req/s | gateway CPU µs/req | Δ vs bare |\n|---|---|---|---|');
for (const v of VARIANTS) {
  const cpu = median(results[v].map((r) => r.cpu));
  console.log(
    `| ${v} | ${median(results[v].map((r) => r.rps)).toFixed(0)} | ${cpu.toFixed(1)} | ${v === 'bare' ? '—' : (cpu - base >= 0 ? '+' : '') + (cpu - base).toFixed(1)} |`,
  );
}
