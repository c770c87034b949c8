// What the gateway counts and what the usage shards answer: plain data, shared by the isolate
// recorder, the UsageShard Durable Object and the admin analytics routes.

export type Granularity = 'minute' | 'hour' | 'day';
/** `result`: the outcome, with allowed calls the origin answered 4xx or 5xx as `origin-4xx` / `origin-5xx`. */
export type GroupBy = 'route' | 'status' | 'outcome' | 'result';

export const BUCKET_MS: Record<Granularity, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** How long each kind of row is kept (docs/storage-schema.md, README "Usage and analytics"). */
export const RETENTION_MS: Record<Granularity | 'requests' | 'flushes', number> = {
  minute: 2 * 86_400_000,
  hour: 40 * 86_400_000,
  day: 400 * 86_400_000,
  requests: 7 * 86_400_000,
  flushes: 86_400_000,
};
/** Request-log entries kept per key in each shard (newest first). */
export const REQUESTS_PER_KEY_PER_SHARD = 200;
/** Shards (UsageShard objects). Each isolate writes to one, so a read of a key fans out to all. */
export const USAGE_SHARDS = 8;

/** One counter row: `count` calls in the minute starting at `minute` (ms) with these dimensions. */
export interface CountRow {
  minute: number;
  /** '' when the call carried no known key (gateway-wide denials). */
  keyId: string;
  projectId: string;
  /** The route rule ("GET,HEAD /forms/:id"), '' when none matched or none are configured. */
  route: string;
  statusClass: string;
  outcome: string;
  count: number;
}

/** One entry of a key's request log. */
export interface RequestEntry {
  at: number;
  requestId: string;
  keyId: string;
  method: string;
  path: string;
  route: string;
  status: number;
  latencyMs: number;
  clientIp: string;
  country: string;
  userAgent: string;
  outcome: string;
}

/** What one flush carries; `id` (isolate:sequence) makes a retried flush count once. */
export interface UsageBatch {
  id: string;
  counts: CountRow[];
  requests: RequestEntry[];
}

export interface UsageFilter {
  keyId?: string;
  /** A customer's keys. */
  keyIds?: string[];
  projectId?: string;
}

export interface UsageQuery extends UsageFilter {
  granularity: Granularity;
  /** Bucket starts, inclusive from, exclusive to (ms). */
  from: number;
  to: number;
  groupBy: GroupBy;
  /** How many of the top keys each shard returns. */
  topKeys: number;
}

/** One shard's answer; sums, so shards merge by adding. */
export interface ShardUsage {
  series: { bucket: number; group: string; count: number }[];
  byOutcome: Record<string, number>;
  byStatus: Record<string, number>;
  routes: Record<string, number>;
  keys: Record<string, number>;
}

export interface RequestPageQuery {
  keyId: string;
  /** Instead of keyId: the log of all these keys (a customer's), merged newest first. */
  keyIds?: string[];
  limit: number;
  /** Entries strictly older than this position (newest first). */
  before: { at: number; requestId: string } | null;
  /** Only the entries that match every field given. */
  filter?: RequestFilter;
}

/** What a request-log read may be narrowed to: a status (404) or class (4xx), an outcome, a route rule, a time span, one request. */
export interface RequestFilter {
  status?: number;
  statusClass?: string;
  outcome?: string;
  /** '' for calls that matched no route rule. */
  route?: string;
  /** ms, inclusive from, exclusive to. */
  from?: number;
  to?: number;
  requestId?: string;
}

/** A sample of the request logs of some keys within [from, to): the newest `limit` entries of each shard. */
export interface SampleQuery {
  keyIds: string[];
  from: number;
  to: number;
  limit: number;
}
