// `node bench/in-process.mjs [rounds] [calls]`: CPU µs per call of keygate (cached keys), of
// variants of keygate with one piece taken out, of B2 (the minimal authorizer) and of B0, each
// called in a loop inside one workerd with its origin answered in memory
// (bench/workers/in-process.js). No sockets and no load generator: the figure is the process's
// CPU around one request that makes `calls` calls, which holds on a busy machine far better than
// wrk's (`npm run bench`), and prices each piece of keygate against the floor in minutes.
// What it cannot show: the cost of the origin connection and of relaying a network body (the
// same for every design, but for what keygate does to it), and throughput. Minimum and median of
// interleaved rounds; usage is counted by shards in another process, as in `npm run bench`.
// The variants are built for this tool only (esbuild replaces one spelling in one file; a
// spelling that is no longer in the code stops the tool): the shipped bundle has no switches.

import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  ADMIN_TOKEN,
  bundleForWorkerd,
  captureRefusal,
  cpuMicros,
  minimalRecords,
  pin,
  seedKeys,
  startKeygate,
  startUsageShards,
} from './lib.mjs';

const rounds = Number(process.argv[2] ?? 9);
const calls = Number(process.argv[3] ?? 2_000);
/** KIND=neg: the calls carry well-formed keys this gateway never issued (C-neg's 401s, AUTH_FAILURE_LIMIT=0), B2's refusal beside keygate's, sending keygate's own 401. */
const NEG = process.env.KIND === 'neg';

/** keygate with one piece out: [file, the code as it is, what replaces it]. */
const VARIANTS = {
  'no-usage': [['src/edge/gateway.ts', '    else recordCall(c, startedAt, response.status);', '']],
  'no-request-log': [['src/edge/usage-recorder.ts', '    if (principal !== undefined) {', '    if (false) {']],
  'no-body-deadline': [['src/edge/proxy/forward.ts', "const idleMs = c.get('config').originBodyIdleTimeoutMs;", 'const idleMs = 0;']],
  'no-failure-limit': [
    ['src/edge/steps/api-key-auth.ts', 'failures.blockedFor(clientIp, config.authFailureLimit, now)', '0'],
    ['src/edge/steps/api-key-auth.ts', 'if (config.authFailureLimit > 0) failures.recordSuccess', 'if (false) failures.recordSuccess'],
  ],
  'no-feed-check': [['src/edge/steps/api-key-auth.ts', '() => ensureFresh(c, now, config.feed)', '() => undefined']],
  'no-url-steps': [
    ['src/edge/decision.ts', '  keyInUrl, //', '  //'],
    ['src/edge/decision.ts', '  canonicalPath, //', '  //'],
    ['src/edge/decision.ts', '  methodGuard, //', '  //'],
  ],
  'no-no-store': [['src/edge/proxy/forward.ts', "      cache: 'no-store',\n", '']],
};
const only = process.env.VARIANTS?.split(',');
const variants = Object.entries(VARIANTS).filter(([name]) => only === undefined || only.includes(name));
const work = mkdtempSync(join(tmpdir(), 'keygate-inproc-'));
const median = (v) => v.slice().sort((a, b) => a - b)[Math.floor(v.length / 2)];

/** keygate's entry bundled with `edits` applied (each must match exactly once). */
async function variantBundle(name, edits) {
  const outfile = join(work, `${name}.js`);
  const plugin = {
    name: 'variant',
    setup(b) {
      b.onLoad({ filter: /\/src\/.*\.ts$/ }, (args) => {
        let text = readFileSync(args.path, 'utf8');
        for (const [file, from, to] of edits) {
          if (args.path !== resolve(file)) continue;
          if (text.split(from).length !== 2) throw new Error(`${name}: ${file} no longer reads ${JSON.stringify(from)} exactly once`);
          text = text.replace(from, to);
        }
        return { contents: text, loader: 'ts' };
      });
    },
  };
  return bundleForWorkerd(resolve('src/index.ts'), outfile, true, [plugin]);
}

try {
  pin(process.pid, 1);
  const designs = [['keygate', await variantBundle('keygate', [])]];
  for (const [name, edits] of variants) designs.push([name, await variantBundle(name, edits)]);
  const lines = designs.map(([name, file], i) => `import d${i} from ${JSON.stringify(file)};`);
  lines.push(`export * from ${JSON.stringify(designs[0][1])};`);
  lines.push(`import b2 from ${JSON.stringify(resolve('bench/workers/minimal-authorizer.js'))};`);
  lines.push(`import b0 from ${JSON.stringify(resolve('bench/workers/bare-proxy.js'))};`);
  lines.push(`export const DESIGNS = { ${designs.map(([name], i) => `${JSON.stringify(name)}: d${i}`).join(', ')}, b2, b0 };`);
  writeFileSync(join(work, 'designs.js'), lines.join('\n') + '\n');
  writeFileSync(join(work, 'in-process.js'), readFileSync('bench/workers/in-process.js'));
  const script = await bundleForWorkerd(join(work, 'in-process.js'), join(work, 'loop.js'));
  const bindings = {
    ORIGIN_URL: 'https://origin.example',
    ADMIN_TOKEN,
    ROUTES: [{ method: 'GET', path: '/bench', scopes: ['bench:read'] }],
    BENCH_MODE: 'true',
    ...(NEG ? { AUTH_FAILURE_LIMIT: '0' } : {}),
  };
  // Keys are seeded through keygate's admin API, then the worker is started again with them as bindings (same storage).
  const seeder = await startKeygate(work, 'loop', script, { ...bindings, LOOP_KEYS: '', B2_KEYS: '[]' });
  let keys = await seedKeys(seeder.url, 100);
  await seeder.mf.dispose();
  if (NEG) {
    // Issued by another gateway (its own storage): well-formed, checksum-valid, unknown here.
    const other = await startKeygate(work, 'other', script, { ...bindings, LOOP_KEYS: '', B2_KEYS: '[]' });
    keys = await seedKeys(other.url, 10);
    await other.mf.dispose();
  }
  const loopBindings = { ...bindings, LOOP_KEYS: keys.join('\n'), B2_KEYS: JSON.stringify(NEG ? [] : minimalRecords(keys)) };
  if (NEG) {
    // B2 refuses with keygate's own 401 (the same status, headers and body; `npm run bench`'s B2-401).
    const capture = await startKeygate(work, 'loop', script, loopBindings);
    loopBindings.B2_REFUSALS = JSON.stringify({ unknown: await captureRefusal(capture.url, keys[0], 401), known: {} });
    await capture.mf.dispose();
  }
  const w = await startKeygate(work, 'loop', script, loopBindings);
  const shards = await startUsageShards(work, script, ['loop']);
  const cost = async (design, n) => {
    const before = cpuMicros(w.pid);
    const response = await fetch(`${w.url}/__loop?design=${encodeURIComponent(design)}&n=${n}&status=${NEG ? 401 : 200}`);
    const body = await response.json();
    if (!response.ok || body.failed > 0) throw new Error(`${design}: ${JSON.stringify(body)}`);
    return (cpuMicros(w.pid) - before) / n;
  };
  const names = [...(NEG ? [] : ['b0']), 'b2', ...designs.map(([name]) => name)];
  for (const name of names) await cost(name, calls); // warm-up: caches filled, code optimised
  const runs = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) for (const name of names) runs[name].push(await cost(name, calls));
  const min = (name) => Math.min(...runs[name]);
  const signed = (x) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;
  console.log(`| design | CPU µs/call, min of ${rounds} | median | Δ vs B2 | Δ vs keygate (the piece's cost) |\n|---|---|---|---|---|`);
  for (const name of names) {
    const piece = name === 'keygate' || name.startsWith('b') ? '—' : signed(min('keygate') - min(name));
    console.log(
      `| ${name} | ${min(name).toFixed(1)} | ${median(runs[name]).toFixed(1)} | ${name === 'b2' ? '—' : signed(min(name) - min('b2'))} | ${piece} |`,
    );
  }
  await w.mf.dispose();
  await shards.mf.dispose();
} finally {
  rmSync(work, { recursive: true, force: true });
}
