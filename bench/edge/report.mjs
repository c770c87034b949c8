// The edge harness's figures: per profile, the added latency of each call over its paired bare-proxy
// call, and the calls made to each remote part, per second, per isolate and per location.

/** The change feed's poll interval (src/objects/feed-replica/object.ts REPLICA_POLL_MS): per-location loads are given per interval. */
const POLL_S = 2;

const sum = (counters, names, pattern) =>
  names.reduce((n, name) => n + Object.entries(counters[name] ?? {}).reduce((m, [k, v]) => (pattern.test(k) ? m + v : m), 0), 0);

function percentile(sorted, q) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

const round = (n, digits = 1) => (n === null ? null : Number(n.toFixed(digits)));

export function summarizeProfile({ design, ref, profile, samples, counters, edge, seconds, delays }) {
  const locations = edge.locations.filter((l) => l.profile === profile.name);
  const isolates = locations.flatMap((l) => l.isolates.map((i) => i.name));
  const ok = samples.filter((s) => s.kg.status === 200 && s.bare.status === 200);
  const added = ok.map((s) => s.kg.ms - s.bare.ms).sort((a, b) => a - b);
  const kg = ok.map((s) => s.kg.ms).sort((a, b) => a - b);
  const bare = ok.map((s) => s.bare.ms).sort((a, b) => a - b);
  const statuses = {};
  for (const s of samples) statuses[s.kg.status] = (statuses[s.kg.status] ?? 0) + 1;
  // Registry calls made for this profile: by its isolates, and by the replica of its region.
  const replica = `feed:${profile.region}`;
  const fromReplica = Object.entries(counters.objects ?? {}).reduce((n, [k, v]) => (k.startsWith(`${replica}>REGISTRY.`) ? n + v : n), 0);
  const registryCalls = sum(counters, isolates, /^REGISTRY\./) + fromReplica;
  const replicaCalls = sum(counters, isolates, /^FEED\./);
  const perS = (n) => n / seconds;
  const byObject = {};
  for (const name of isolates)
    for (const [k, v] of Object.entries(counters[name] ?? {})) if (/^[A-Z]+:/.test(k)) byObject[k] = (byObject[k] ?? 0) + v;
  if (fromReplica > 0) byObject[`REGISTRY:registry (from ${replica})`] = fromReplica;
  return {
    design,
    ref,
    name: profile.name,
    ratePerIsolate: profile.rate,
    isolates: profile.isolates,
    locations: locations.length,
    isolatesTotal: isolates.length,
    registryRttMs: delays.registry,
    calls: samples.length,
    errors: samples.length - ok.length,
    statuses,
    addedP50Ms: round(percentile(added, 0.5)),
    addedP99Ms: round(percentile(added, 0.99)),
    addedMaxMs: round(added.at(-1) ?? null),
    keygateP50Ms: round(percentile(kg, 0.5)),
    keygateP99Ms: round(percentile(kg, 0.99)),
    bareP50Ms: round(percentile(bare, 0.5)),
    bareP99Ms: round(percentile(bare, 0.99)),
    registryCallsPerSecond: round(perS(registryCalls), 3),
    registryCallsPerSecondPerIsolate: round(perS(registryCalls) / isolates.length, 4),
    registryCallsPerLocationPerPoll: round((perS(registryCalls) * POLL_S) / locations.length, 3),
    replicaCallsPerSecond: round(perS(replicaCalls), 3),
    replicaCallsPerLocationPerPoll: round((perS(replicaCalls) * POLL_S) / locations.length, 3),
    kvReadsPerSecondPerIsolate: round(perS(sum(counters, isolates, /^KEYS\.get$/)) / isolates.length, 4),
    cacheOpsPerSecondPerLocation: round(perS(sum(counters, isolates, /^cache\./)) / locations.length, 3),
    usageCallsPerSecondPerIsolate: round(perS(sum(counters, isolates, /^USAGE\./)) / isolates.length, 4),
    limiterCallsPerSecond: round(perS(sum(counters, isolates, /^LIMITER\./)), 3),
    callsPerSecondByDurableObject: Object.fromEntries(Object.entries(byObject).map(([k, v]) => [k, round(perS(v), 3)])),
    callsAddingOver40Ms: added.filter((a) => a > 40).length,
    /** The five calls that added most: when (s into the run), where, and both sides' latencies. */
    slowest: ok
      .map((s) => ({
        atS: round((s.at - samples[0].at) / 1000),
        location: s.location,
        addedMs: round(s.kg.ms - s.bare.ms),
        keygateMs: round(s.kg.ms),
        bareMs: round(s.bare.ms),
      }))
      .sort((a, b) => b.addedMs - a.addedMs)
      .slice(0, 5),
  };
}

const cell = (v) => (v === null || v === undefined ? '—' : String(v));

export function renderEdgeMarkdown(report) {
  const d = report.delaysMs;
  const lines = [
    `### keygate edge harness — ${report.date.slice(0, 10)}${report.quick ? ' (quick)' : ''}`,
    '',
    `${report.machine}. One workerd per design; locations of 1 or 8 isolates (one miniflare worker each); ` +
      `delays per call: registry ${d.registry} ms, regional replica ${d.regional} ms, location cache ${d.locationCache} ms, KV ${d.kv} ms, ` +
      `limiter ${d.limiter} ms, usage shard ${d.usage} ms, origin ${d.origin} ms. Poisson traffic per isolate; one design at a time, ` +
      `${report.quick ? 'one round' : 'alternating rounds (ABBA)'}, each after a ${report.plan.warmupS} s warm-up; ${Math.round(report.plan.measuredSeconds)} s measured per design; each call paired with a bare-proxy call in the same location at the same moment. ` +
      `"added" = keygate − bare, per call. Loads per location are per ${POLL_S} s (the feed's poll interval).`,
    '',
    '| design | profile | calls/s per isolate | locations × isolates | calls | added p50 ms | added p99 ms | added max ms | registry calls/s (per isolate) | registry calls per location per 2 s | replica calls per location per 2 s | KV reads/s per isolate | usage calls/s per isolate | errors |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const p of report.profiles) {
    lines.push(
      `| ${p.design} | ${p.name} | ${p.ratePerIsolate} | ${p.locations} × ${p.isolates} | ${p.calls} | ${cell(p.addedP50Ms)} | ${cell(p.addedP99Ms)} | ${cell(p.addedMaxMs)} | ` +
        `${p.registryCallsPerSecond} (${p.registryCallsPerSecondPerIsolate}) | ${p.registryCallsPerLocationPerPoll} | ${p.replicaCallsPerLocationPerPoll} | ` +
        `${p.kvReadsPerSecondPerIsolate} | ${p.usageCallsPerSecondPerIsolate} | ${p.errors} |`,
    );
  }
  return lines.join('\n') + '\n';
}
