// Who calls and how fast, from a sample of the request log: latency percentiles per time bucket
// (nearest rank, so every figure is a latency that was measured) and the top client IPs, countries
// and user agents. Counters hold no latency and no caller, so these come from the log alone.

export interface SampledCall {
  at: number;
  latencyMs: number;
  clientIp: string;
  country: string;
  userAgent: string;
}

export interface LatencyBucket {
  start: string;
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

const TOP = 10;

/** The nearest-rank `p`th percentile of ascending `sorted` (not empty). */
export function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

/** One entry per bucket of [from, to) (`size` ms each), empty buckets included. */
export function latencyBuckets(calls: readonly SampledCall[], from: number, to: number, size: number): LatencyBucket[] {
  const byBucket = new Map<number, number[]>();
  for (const call of calls) {
    const start = call.at - ((call.at - from) % size);
    const list = byBucket.get(start);
    if (list) list.push(call.latencyMs);
    else byBucket.set(start, [call.latencyMs]);
  }
  const buckets: LatencyBucket[] = [];
  for (let t = from; t < to; t += size) {
    const sorted = (byBucket.get(t) ?? []).sort((a, b) => a - b);
    const at = (p: number) => (sorted.length ? percentile(sorted, p) : null);
    buckets.push({ start: new Date(t).toISOString(), count: sorted.length, p50: at(50), p95: at(95), p99: at(99) });
  }
  return buckets;
}

/** The most frequent values, most first (ties by value), at most 10. */
export function topValues(values: readonly string[]): { value: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, TOP)
    .map(([value, count]) => ({ value, count }));
}

export function summarizeTraffic(calls: readonly SampledCall[], from: number, to: number, size: number) {
  return {
    sampled: calls.length,
    latency: latencyBuckets(calls, from, to, size),
    clientIps: topValues(calls.map((c) => c.clientIp)),
    countries: topValues(calls.map((c) => c.country || 'unknown')),
    userAgents: topValues(calls.map((c) => c.userAgent || '(none)')),
  };
}
