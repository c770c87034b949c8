// `node bench/edge/model.mjs [bench/results/edge-latest.json]`: carries the edge harness's measured
// rates to a global deployment — 300 locations × 10, 100 or 1,000 isolates each, every isolate at
// one of the measured traffic levels — and sets each Durable Object's load against the platform's
// published limits. Prints Markdown (docs/edge-model.md holds a run of it).
//
// What scales how (read off the harness, per design):
//  - registry: before, every isolate polls it (measured calls/s per isolate); after, only the
//    regional replicas do (measured calls/s per region) plus the usage shards' lastUsedAt batches;
//  - a region's replica: one snapshot call per location per refresh (measured per location), all of
//    a region's locations together; 300 locations over 9 regions, the busiest with a third of them;
//  - a usage shard: every isolate flushes (measured calls/s per isolate), spread over 8 shards;
//  - KV: reads per isolate (cache misses, measured); writes are one per key change (≤ 1/s per key).

import { readFileSync } from 'node:fs';

const LIMITS = { durableObjectRps: 1_000, kvWritesPerKeyPerSecond: 1 };
const LOCATIONS = 300;
const REGIONS = 9;
/** The busiest region's share of all locations (Europe or North America). */
const BUSIEST_REGION_SHARE = 1 / 3;
const USAGE_SHARDS = 8;
/** lastUsedAt batches from each usage shard to the registry, per second (src/objects/usage/object.ts, one per 5 s). */
const SHARD_TOUCHES_PER_S = 1 / 5;
const ISOLATES = [10, 100, 1_000];

const report = JSON.parse(readFileSync(process.argv[2] ?? 'bench/results/edge-latest.json', 'utf8'));

/** The 8-isolate profile at each rate: per-isolate figures from a location shaped like the model's. */
function measured(design, rate) {
  const p = report.profiles.find((x) => x.design === design && x.ratePerIsolate === rate && x.isolates === 8);
  if (p === undefined) return undefined;
  return {
    registryPerIsolate: p.registryCallsPerSecondPerIsolate,
    registryPerRegion: p.registryCallsPerSecond, // after: all of it is the replica's (each profile has a region of its own)
    replicaPerLocation: p.replicaCallsPerLocationPerPoll / 2,
    usagePerIsolate: p.usageCallsPerSecondPerIsolate,
    kvPerIsolate: p.kvReadsPerSecondPerIsolate,
  };
}

const fmt = (n) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(n >= 10 ? 1 : 2));
const mark = (n) => (n > LIMITS.durableObjectRps ? `**${fmt(n)}** ✗` : fmt(n));

const rows = [];
for (const design of ['before', 'after']) {
  for (const rate of [0.05, 0.5, 5]) {
    const m = measured(design, rate);
    if (m === undefined) continue;
    for (const perLocation of ISOLATES) {
      const isolates = LOCATIONS * perLocation;
      const registry =
        design === 'before'
          ? m.registryPerIsolate * isolates
          : // one replica per region polls; the regional rate measured with one location per region
            m.registryPerRegion * REGIONS + USAGE_SHARDS * SHARD_TOUCHES_PER_S;
      const replica = design === 'after' ? m.replicaPerLocation * LOCATIONS * BUSIEST_REGION_SHARE : 0;
      const usageShard = (m.usagePerIsolate * isolates) / USAGE_SHARDS;
      const loads = { registry, replica, 'usage shard': usageShard };
      const over = Object.entries(loads).filter(([, v]) => v > LIMITS.durableObjectRps);
      const first =
        over.length === 0
          ? 'none'
          : over
              .sort((a, b) => b[1] - a[1])
              .map(([k]) => k)
              .join(', ');
      rows.push(
        `| ${design} | ${rate} | ${perLocation.toLocaleString('en-US')} (${isolates.toLocaleString('en-US')}) | ${mark(registry)} | ${design === 'after' ? mark(replica) : '—'} | ${mark(usageShard)} | ${fmt(m.kvPerIsolate * isolates)} | ${first} |`,
      );
    }
  }
}

console.log(`Model from \`${process.argv[2] ?? 'bench/results/edge-latest.json'}\` (${report.date}, delays ${JSON.stringify(report.delaysMs)}).
${LOCATIONS} locations, ${REGIONS} regions (the busiest with ${Math.round(BUSIEST_REGION_SHARE * 100)} % of the locations), ${USAGE_SHARDS} usage shards; every isolate at the given calls/s. Requests per second to the busiest object of each kind; ✗ = over Cloudflare's ~${LIMITS.durableObjectRps.toLocaleString('en-US')} req/s per Durable Object.

| design | calls/s per isolate | isolates per location (total) | registry req/s | busiest replica req/s | each usage shard req/s | KV reads/s (all) | over the limit |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}`);
