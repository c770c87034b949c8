// Turns benchmark samples into medians (with min–max), ratios to B0, verdicts on design.md's
// targets, and the Markdown table for README and the issue note. Ratios and differences to B0 are
// paired: each round's figure against B0's in the same round, then the median of those — the
// machine's speed drifts between rounds (B0 alone has ranged 2,300–4,200 req/s in one run).

export const TARGETS = [
  { id: 'hit-throughput', text: 'C-hit throughput ≥ 0.90× B0', check: (c) => c['C-hit'].vsB0.rps.median >= 0.9 },
  { id: 'hit-cpu', text: 'C-hit added CPU ≤ 10 µs/request', check: (c) => c['C-hit'].vsB0.cpu.median <= 10 },
  { id: 'hit-p50', text: 'C-hit added unloaded p50 ≤ 25 µs', check: (c) => c['C-hit'].vsB0.p50.median <= 25 },
  { id: 'hit-kv', text: 'C-hit KV reads ≤ 0.05/request', check: (c) => c['C-hit'].kvReadsPerReq.median <= 0.05 },
  { id: 'hit-do', text: 'C-hit Durable Object calls ≤ 0.02/request', check: (c) => c['C-hit'].doCallsPerReq.median <= 0.02 },
  { id: 'neg-throughput', text: 'C-neg throughput ≥ 2× B0', check: (c) => c['C-neg'].vsB0.rps.median >= 2 },
  { id: 'neg-kv', text: 'C-neg KV reads = 0 for repeated bad keys', check: (c) => c['C-neg'].kvReadsPerReq.median === 0 },
  { id: '429-throughput', text: 'C-429 throughput ≥ 2× B0', check: (c) => c['C-429'].vsB0.rps.median >= 2 },
  {
    id: '429-do',
    text: 'C-429 Durable Object calls ≤ 0.02/request (refused from memory)',
    check: (c) => c['C-429'].doCallsPerReq.median <= 0.02,
  },
  {
    id: 'usage-batched',
    text: 'usage batched: C-hit DO calls/request < 1/10 of per-call flushing (C-percall)',
    check: (c) => c['C-hit'].doCallsPerReq.median * 10 < c['C-percall'].doCallsPerReq.median,
  },
  {
    id: 'lease-do',
    text: 'C-lease (hot key with limits) Durable Object calls ≤ 0.02/request',
    check: (c) => c['C-lease'].doCallsPerReq.median <= 0.02,
  },
  { id: 'errors', text: 'no errors in any configuration', check: (c) => Object.values(c).every((x) => x.errors.max === 0) },
];

function stats(values) {
  const v = values.filter((x) => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { median, min: v[0], max: v[v.length - 1] };
}

/** `f(sample, B0's sample of the same round)` for every round both have, as stats. */
function paired(list, base, f) {
  return stats(list.map((sample, round) => (base?.[round] ? f(sample, base[round]) : null)));
}

export function summarize(samples) {
  const out = {};
  const base = samples.B0;
  for (const [name, list] of Object.entries(samples)) {
    out[name] = {};
    for (const metric of ['rps', 'cpuUsPerReq', 'p50us', 'p99us', 'kvReadsPerReq', 'doCallsPerReq', 'errors']) {
      out[name][metric] = stats(list.map((s) => s[metric]));
    }
    out[name].vsB0 = {
      rps: paired(list, base, (s, b) => s.rps / b.rps),
      cpu: paired(list, base, (s, b) => (s.cpuUsPerReq === null || b.cpuUsPerReq === null ? null : s.cpuUsPerReq - b.cpuUsPerReq)),
      p50: paired(list, base, (s, b) => s.p50us - b.p50us),
    };
    out[name].statuses = list.at(-1)?.statuses ?? {};
  }
  return out;
}

export function judge(configs, targets) {
  return targets.map((t) => {
    let met;
    try {
      met = Boolean(t.check(configs));
    } catch {
      met = false;
    }
    return { id: t.id, text: t.text, met };
  });
}

const fmt = (s, digits = 0) =>
  s === null
    ? '—'
    : s.min === s.max
      ? s.median.toFixed(digits)
      : `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
const plus = (x, digits) => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;
const signed = (s, digits) =>
  s === null ? '—' : s.min === s.max ? plus(s.median, digits) : `${plus(s.median, digits)} (${plus(s.min, digits)}…${plus(s.max, digits)})`;

export function renderMarkdown(result) {
  const c = result.configs;
  const b0 = c.B0;
  const lines = [
    `### keygate benchmark — ${result.date.slice(0, 10)}${result.quick ? ' (quick: one short round, not a measurement; keys are still in the change feed, so KV reads are ~0)' : ''}`,
    '',
    `Machine: ${result.machine.cores} cores, ${result.machine.cpu}; Node ${result.machine.node}; workerd ${result.machine.workerd}. ` +
      `Gateway pinned to core 0, origin + wrk on core 1; ${result.plan.tool}, ${result.plan.connections} connections, ` +
      `${result.plan.warmupS} s warm-up discarded, ${result.plan.rounds} interleaved round(s) of ${result.plan.runS} s; unloaded latency at c=1 for ${result.plan.latencyS} s. ` +
      `Median (min–max); × B0 and Δ columns: median (min–max) of each round paired with B0's round.`,
    '',
    '| config | req/s | × B0 | gateway CPU µs/req | Δ CPU vs B0 | p50 µs (c=1) | Δ p50 vs B0 | p99 µs (c=1) | KV reads/req | DO calls/req | errors | statuses |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const describe = {
    A: 'A origin direct',
    B0: 'B0 bare proxy',
    B1: 'B1 Hono proxy',
    'C-hit': 'C-hit keygate, cached (Zipf over 1,000 of 10,000 keys), usage batched',
    'C-percall': 'C-percall as C-hit, usage flushed per call (one DO call each)',
    'C-lease': 'C-lease one hot key with a quota (leases)',
    'C-kv': 'C-kv keygate, cache off (uniform over 10,000)',
    'C-neg': 'C-neg unknown key (401)',
    'C-429': 'C-429 key over its quota (429)',
  };
  for (const [name, s] of Object.entries(c)) {
    const isBase = name === 'B0';
    const ratio = isBase ? '1.00' : fmt(s.vsB0.rps, 2);
    const dCpu = isBase || name === 'A' ? '—' : signed(s.vsB0.cpu, 1);
    const dP50 = isBase ? '—' : signed(s.vsB0.p50, 0);
    lines.push(
      `| ${describe[name] ?? name} | ${fmt(s.rps)} | ${ratio} | ${fmt(s.cpuUsPerReq, 1)} | ${dCpu} | ${fmt(s.p50us)} | ${dP50} | ${fmt(s.p99us)} | ${fmt(s.kvReadsPerReq, 4)} | ${fmt(s.doCallsPerReq, 4)} | ${s.errors?.max ?? 0} | ${JSON.stringify(s.statuses)} |`,
    );
  }
  lines.push('', '| target (design.md) | met |', '|---|---|');
  for (const t of result.targets) lines.push(`| ${t.text} | ${t.met ? 'yes' : '**no**'} |`);
  lines.push('');
  return lines.join('\n');
}
