// `npm run bench:edge [-- --quick] [-- --before <git-ref>] [-- --no-before]`: what a call costs at
// the real edge, where isolates are many, mostly quiet and far from any one Durable Object.
// Every design under test runs in its own workerd (bench/edge/topology.mjs): locations of 1 or 8
// isolates, with one-way delays in front of each remote part (bench/edge/shim-lib.js), open-loop
// Poisson traffic per isolate at 0.05, 0.5 and 5 calls/s, and every call paired with one through a
// bare proxy in the same location at the same moment (same origin, same origin delay). Designs are
// driven one at a time in alternating rounds (before, after, after, before), each round warmed up
// first. Reports the added latency per call and the calls each design makes to each Durable Object
// and to KV.
// Writes bench/results/edge-<date>.{json,md} and edge-latest.* (full runs) or edge-quick.* (--quick).
// Asserts nothing: it measures.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEdgeBundle, checkoutRef } from './build.mjs';
import { startEdge, seedEdgeKeys } from './topology.mjs';
import { summarizeProfile, renderEdgeMarkdown } from './report.mjs';
import { childPids, pin, startOrigin } from '../lib.mjs';
import { DURABLE_OBJECTS } from '../../scripts/durable-objects.mjs';

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const flag = (name) => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};
/** The design before the change feed had regional replicas and a per-location tier (commit ad4e595). */
const BEFORE_REF = 'ad4e595';
const before = args.includes('--no-before') ? null : (flag('--before') ?? (QUICK ? null : BEFORE_REF));

/** One-way delays in front of each remote part, ms (applied once per call: the call's added round trip). */
export const DELAYS = { registry: 150, regional: 25, locationCache: 2, kv: 5, origin: 20, limiter: 25, usage: 150 };
/** measureS: measured seconds per design, over `rounds` rounds (ABBA when two designs run). */
const PLAN = QUICK ? { warmupS: 8, measureS: 40, rounds: 1 } : { warmupS: 10, measureS: Number(flag('--seconds') ?? 240), rounds: 2 };
// Each profile has its locations in a region of its own, so its replica's registry calls are its own.
const PROFILES = [
  { name: 'quiet-1', rate: 0.05, isolates: 1, locations: QUICK ? 12 : 24, region: 'wnam' },
  { name: 'quiet-8', rate: 0.05, isolates: 8, locations: QUICK ? 2 : 4, region: 'enam' },
  { name: 'mid-1', rate: 0.5, isolates: 1, locations: QUICK ? 2 : 6, region: 'weur' },
  { name: 'mid-8', rate: 0.5, isolates: 8, locations: QUICK ? 1 : 2, region: 'eeur' },
  { name: 'busy-1', rate: 5, isolates: 1, locations: QUICK ? 1 : 2, region: 'apac' },
  { name: 'busy-8', rate: 5, isolates: 8, locations: 1, region: 'oc' },
];
const ADMIN_TOKEN = 'edge-admin-token-0123456789abcdef';

function log(...parts) {
  console.error('[bench:edge]', ...parts);
}

/** Exponential gap for a Poisson process of `rate` per second, in ms. */
const gapMs = (rate) => (-Math.log(1 - Math.random()) / rate) * 1000;

async function timed(url, init) {
  const started = performance.now();
  try {
    const res = await fetch(url, init);
    await res.arrayBuffer();
    return { ms: performance.now() - started, status: res.status };
  } catch (error) {
    return { ms: performance.now() - started, status: 0, error: String(error) };
  }
}

/** Open-loop traffic on every isolate of `edge` until `endAt`; calls after `measureFrom` are kept. */
function drive(edge, profiles, keys, measureFrom, endAt) {
  const samples = new Map(profiles.map((p) => [p.name, []]));
  const running = [];
  for (const location of edge.locations) {
    const profile = profiles.find((p) => p.name === location.profile);
    for (const isolate of location.isolates) {
      const key = keys[isolate.name];
      const loop = async () => {
        // Warm-up: one call soon after start caches the key; the isolate then lives its profile.
        let next = Date.now() + Math.random() * 2000;
        const pending = [];
        while (next < endAt) {
          await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
          const at = Date.now();
          const call = Promise.all([
            timed(`${isolate.url}/bench`, { headers: { authorization: `Bearer ${key}` } }),
            timed(`${location.bare}/bench`),
          ]).then(([kg, bare]) => {
            if (at >= measureFrom) samples.get(profile.name).push({ at, kg, bare, location: location.name });
          });
          pending.push(call);
          next = Math.max(next, Date.now()) + gapMs(profile.rate);
        }
        await Promise.all(pending);
      };
      running.push(loop());
    }
  }
  return Promise.all(running).then(() => samples);
}

async function runDesign(label, script, objects, originUrl, work) {
  const locations = PROFILES.flatMap((p) =>
    Array.from({ length: p.locations }, (_, i) => ({ name: `${p.name}-l${i}`, region: p.region, isolates: p.isolates, profile: p.name })),
  );
  const existing = new Set(childPids());
  const edge = await startEdge({
    script,
    bareScript: 'bench/workers/bare-proxy.js',
    objects,
    locations,
    vars: {
      ORIGIN_URL: originUrl,
      ADMIN_TOKEN,
      ROUTES: JSON.stringify([{ method: 'GET', path: '/bench', scopes: ['bench:read'] }]),
      LOG_LEVEL: 'error',
    },
    delays: DELAYS,
    persist: join(work, label),
  });
  for (const pid of childPids().filter((p) => !existing.has(p))) pin(pid, 0);
  edge.locations.forEach((l, i) => (l.profile = locations[i].profile));
  const isolates = edge.locations.flatMap((l) => l.isolates);
  const seeded = await seedEdgeKeys(edge.adminUrl, ADMIN_TOKEN, isolates.length);
  const keys = Object.fromEntries(isolates.map((iso, i) => [iso.name, seeded[i].key]));
  return { label, edge, keys };
}

async function main() {
  pin(process.pid, 1);
  const work = mkdtempSync(join(tmpdir(), 'keygate-edge-'));
  const children = [];
  const cleanups = [];
  try {
    const originUrl = await startOrigin(children, DELAYS.origin);
    for (const child of children) pin(child.pid, 1);
    const designs = [{ label: 'after', root: '.', objects: DURABLE_OBJECTS }];
    if (before !== null) {
      const ref = checkoutRef(before);
      cleanups.push(ref.remove);
      const objects = (await import(join(ref.dir, 'scripts/durable-objects.mjs'))).DURABLE_OBJECTS;
      designs.unshift({ label: 'before', root: ref.dir, objects, ref: before });
    }
    const started = [];
    for (const d of designs) {
      const script = await buildEdgeBundle(d.root, d.objects, join(work, 'build'), d.label);
      log(`${d.label}: starting ${PROFILES.reduce((n, p) => n + p.locations * p.isolates, 0)} isolates`);
      started.push({ ...(await runDesign(d.label, script, d.objects, originUrl, work)), ref: d.ref ?? 'working tree' });
    }
    // One design driven at a time (each workerd has core 0 to itself), in alternating rounds (ABBA)
    // so the machine's drift falls on both; each round warms up before it is measured.
    const order = started.length === 2 ? [0, 1, 1, 0] : Array.from({ length: PLAN.rounds }, () => 0);
    const roundS = (PLAN.measureS * started.length) / order.length;
    const collected = started.map(() => ({ samples: new Map(PROFILES.map((p) => [p.name, []])), counters: {}, seconds: 0 }));
    for (const [round, index] of order.entries()) {
      const s = started[index];
      const measureFrom = Date.now() + PLAN.warmupS * 1000;
      const endAt = measureFrom + roundS * 1000;
      log(`round ${round + 1}/${order.length}: ${s.label}, ${PLAN.warmupS} s warm-up + ${roundS} s measured`);
      const reset = new Promise((r) => setTimeout(r, measureFrom - Date.now())).then(() => s.edge.counters(true));
      const samples = await drive(s.edge, PROFILES, s.keys, measureFrom, endAt);
      await reset;
      const into = collected[index];
      into.seconds += (Date.now() - measureFrom) / 1000;
      for (const [name, list] of samples) into.samples.get(name).push(...list);
      for (const [worker, counts] of Object.entries(await s.edge.counters()))
        for (const [k, v] of Object.entries(counts)) (into.counters[worker] ??= {})[k] = (into.counters[worker][k] ?? 0) + v;
    }
    const profiles = [];
    for (const [i, s] of started.entries()) {
      const { samples, counters, seconds } = collected[i];
      for (const p of PROFILES)
        profiles.push(
          summarizeProfile({
            design: s.label,
            ref: s.ref,
            profile: p,
            samples: samples.get(p.name),
            counters,
            edge: s.edge,
            seconds,
            delays: DELAYS,
          }),
        );
    }
    const seconds = collected[0].seconds;
    const report = {
      date: new Date().toISOString(),
      quick: QUICK,
      machine: `${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}; Node ${process.version}`,
      delaysMs: {
        registry: DELAYS.registry,
        regional: DELAYS.regional,
        locationCache: DELAYS.locationCache,
        kv: DELAYS.kv,
        origin: DELAYS.origin,
        limiter: DELAYS.limiter,
        usage: DELAYS.usage,
      },
      plan: { ...PLAN, measuredSeconds: seconds },
      profiles,
    };
    const markdown = renderEdgeMarkdown(report);
    mkdirSync('bench/results', { recursive: true });
    const stamp = report.date.replace(/[:T]/g, '-').slice(0, 19);
    const names = QUICK ? ['edge-quick'] : [`edge-${stamp}`, 'edge-latest'];
    for (const name of names) {
      writeFileSync(`bench/results/${name}.json`, JSON.stringify(report, null, 2) + '\n');
      writeFileSync(`bench/results/${name}.md`, markdown);
    }
    console.log(markdown);
    log(`wrote ${names.map((n) => `bench/results/${n}.{json,md}`).join(', ')}`);
    for (const s of started) await s.edge.dispose();
  } finally {
    for (const child of children) child.kill();
    for (const cleanup of cleanups) cleanup();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
