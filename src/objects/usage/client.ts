// The only code that calls the UsageShard Durable Objects: one shard to write to per isolate, and
// reads that ask every shard and merge (counts add up; request logs merge newest first).

import { storageCounters } from '../../bench-counters';
import type { UsageShard } from './object';
import { USAGE_SHARDS, type RequestEntry, type RequestPageQuery, type SampleQuery, type ShardUsage, type UsageQuery } from './types';

export function usageShard(env: Env, shard: number): DurableObjectStub<UsageShard> {
  storageCounters.usageCalls++;
  return env.USAGE.get(env.USAGE.idFromName(`usage-${shard}`));
}

function addInto(target: Record<string, number>, source: Record<string, number>): void {
  for (const [k, n] of Object.entries(source)) target[k] = (target[k] ?? 0) + n;
}

/** Every shard's usage for `q`, added up. */
export async function readUsage(env: Env, q: UsageQuery): Promise<ShardUsage> {
  const parts = await Promise.all(Array.from({ length: USAGE_SHARDS }, (_, i) => usageShard(env, i).usage(q)));
  const merged: ShardUsage = { series: [], byOutcome: {}, byStatus: {}, routes: {}, keys: {} };
  const series = new Map<string, { bucket: number; group: string; count: number }>();
  for (const part of parts) {
    for (const point of part.series) {
      const id = `${point.bucket}|${point.group}`;
      const known = series.get(id);
      if (known) known.count += point.count;
      else series.set(id, { ...point });
    }
    addInto(merged.byOutcome, part.byOutcome);
    addInto(merged.byStatus, part.byStatus);
    addInto(merged.routes, part.routes);
    addInto(merged.keys, part.keys);
  }
  merged.series = [...series.values()];
  return merged;
}

/** A key's most recent requests across all shards, newest first. */
export async function readRequests(env: Env, q: RequestPageQuery): Promise<{ entries: RequestEntry[]; more: boolean }> {
  // One more than the page from every shard: the extra entry only says that there is more.
  const ask = { ...q, limit: q.limit + 1 };
  const parts = await Promise.all(Array.from({ length: USAGE_SHARDS }, (_, i) => usageShard(env, i).requests(ask)));
  const sorted = parts.flat().sort((a, b) => b.at - a.at || (a.requestId < b.requestId ? 1 : a.requestId > b.requestId ? -1 : 0));
  return { entries: sorted.slice(0, q.limit), more: sorted.length > q.limit };
}

/** Every shard's sample of the request logs of `q.keyIds` (each shard's newest `q.limit`), newest first. */
export async function readSample(env: Env, q: SampleQuery): Promise<RequestEntry[]> {
  const parts = await Promise.all(Array.from({ length: USAGE_SHARDS }, (_, i) => usageShard(env, i).sample(q)));
  return parts.flat().sort((a, b) => b.at - a.at);
}
