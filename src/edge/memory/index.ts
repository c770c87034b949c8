// Everything this isolate remembers between requests, in one object. Each piece is named here
// with what it holds, its bound and its lifetime; the code that uses a piece reads it from
// `memory` (one property read, nothing allocated per call), and `memory.reset()` makes the isolate
// a new one for tests (a part's own `reset()` where a test resets or sets one piece on purpose).
// The parts and the maps they hold are cleared in place, never replaced (but usage's batch, swapped
// at each flush), so a module may keep them in constants.
//
// Identities (the usage isolate id and its batch sequence, the lease holder id, the feed claim
// holder, the region and the location cache) are kept by every reset: a batch id that repeated
// would be dropped by its shard as already counted.
//
// Left where they are, on purpose:
// - log.ts's level: a copy of LOG_LEVEL, set from the configuration on every request;
// - bench-counters.ts: cumulative counts of storage calls, kept by the storage doors (kv/,
//   objects/*/client.ts may not import edge/); readers take differences;
// - config/index.ts's parsed configuration, admin/openapi.ts's document, admin/problem-pages.ts's
//   pages, leaks/github-keys.ts's configured keys (per Config), signing/key.ts's signers (per
//   key): values computed once from deployment inputs, not state.

import { TtlCache } from './key-cache';
import { FailureLimiter } from './failure-limiter';
import type { KeyRecord } from '../../core/key-record';
import type { Principal } from '../../core/principal';
import type { Limits } from '../../core/limits';
import type { LocationHint } from '../../core/placement';
import type { LocationCache } from '../feed/location-cache';
import type { Lease, LeaseReturn, LimitHeaders, Verdict } from '../../objects/limiter/types';
import type { ProblemOptions } from '../../errors/problems';
import type { CountRow, RequestEntry, UsageBatch } from '../../objects/usage/types';
import type { LaterTask } from '../../app-env';
import type { VerifyTokenRecord } from '../../kv/keys';

/** Entries of each bounded map; past it the oldest goes (or, for the per-second counts, all of them). */
export const MAX_REMEMBERED = 10_000;

/** What the key cache holds for a hash: a compiled record, or null for "no such key". */
export type Lookup = { record: KeyRecord; principal: Principal } | null;

/**
 * Keys (verify-key.ts). `cache`: positive and negative lookups, MAX_REMEMBERED hashes, each for
 * KEY_CACHE_TTL_MS (minus up to 20 % jitter) and a live key's never past its `expiresAt`. An
 * expired key's record is cached like any refusal: verifyKey checks expiry on every call, and a
 * record read from KV on every call would make an expired key slower to refuse than an unknown one
 * (and a flood of it a flood of KV reads). `overrides`: records learnt from the registry (this
 * isolate's admin calls, the change feed), newer than KV may serve; MAX_REMEMBERED hashes, each
 * until KV has surely converged (KV_STALENESS_MS after the change).
 */
const keys = {
  cache: new TtlCache<Lookup>({
    maxEntries: MAX_REMEMBERED,
    jitter: 0.2,
    ttlFor: (value, now, ttl) => {
      const expiresAt = value?.record.expiresAt;
      return expiresAt != null && expiresAt > now ? Math.min(ttl, expiresAt - now) : ttl;
    },
  }),
  overrides: new Map<string, { found: Lookup; at: number; until: number }>(),
  /** Forgets everything this isolate knows about keys (also when the feed cannot say what changed). */
  reset(): void {
    keys.cache.clear();
    keys.overrides.clear();
  },
};

/** A sync of the feed view under way (feed/freshness.ts). */
export interface FeedSync {
  /** Settles once the view is fresh or the sync has ended, whichever comes first. */
  fresh: Promise<void>;
  done: Promise<void>;
}

/**
 * The change feed. `view` (memory/feed-view.ts): how far this isolate has read the feed, registry
 * time at which that view was complete (what the revocation bound rests on), when the tier above
 * expects news, when the last sync failed — four numbers. `refresh` (feed/freshness.ts): the one
 * sync under way and the background loop (a generation number and its end), for as long as calls
 * keep renewing it. `staleLog`: serve-stale's one log line per interval and the calls it covers.
 */
const feed = {
  view: {
    cursor: 0,
    confirmedAt: Number.NEGATIVE_INFINITY,
    refreshAt: Number.NEGATIVE_INFINITY,
    failedAt: Number.NEGATIVE_INFINITY,
  },
  refresh: {
    /** This isolate in the location's refresh claims (random values only exist inside a handler). */
    holder: '',
    region: null as LocationHint | 'default' | null,
    location: undefined as Promise<LocationCache | null> | undefined,
    running: null as FeedSync | null,
    loop: 0,
    loopUntil: Number.NEGATIVE_INFINITY,
  },
  staleLog: { at: Number.NEGATIVE_INFINITY, calls: 0 },
  /** The view of an isolate that synced up to `cursor`, complete as of `at` (tests). */
  setView(cursor: number, at: number, refreshAt: number): void {
    Object.assign(feed.view, { cursor, confirmedAt: at, refreshAt, failedAt: Number.NEGATIVE_INFINITY });
  },
  /** The view of an isolate that never synced, with no sync under way and no background loop. */
  reset(): void {
    feed.setView(0, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY);
    feed.refresh.running = null;
    feed.refresh.loop++; // a loop still asleep ends when it wakes
    feed.refresh.loopUntil = Number.NEGATIVE_INFINITY;
    feed.staleLog.at = Number.NEGATIVE_INFINITY;
    feed.staleLog.calls = 0;
  },
};

export type Refusal = Extract<Verdict, { allowed: false }>;

/** A 429 as sent `retryAfter` seconds before its limit frees a call: its RateLimit policies and problem options. */
export interface ShownRefusal {
  retryAfter: number;
  policies: readonly LimitHeaders[];
  options: ProblemOptions;
}

/**
 * Limits (memory/limit-refusals.ts, steps/enforce-limits.ts). `overLimit`: keyId → the refusal to
 * repeat, until when — while this isolate frees no call of the key (`freed` is freedCount() when it
 * was remembered) and its limits are the same (`limits`, their fingerprint: a plan change may lift
 * them): calls handed back make room the memory knows nothing of. `recentCalls`: keyId →
 * calls in the current second and the one before. MAX_REMEMBERED keys each. `shown`: the last 429
 * built from the remembered refusal, repeated as it is within the same second of its Retry-After (the
 * limits' fingerprint, which `limits` must match, includes the call's cost).
 */
const refusals = {
  overLimit: new Map<string, { until: number; verdict: Refusal; freed: number; limits: string; shown?: ShownRefusal }>(),
  recentCalls: new Map<string, { second: number; n: number; previous: number }>(),
  reset(): void {
    refusals.overLimit.clear();
    refusals.recentCalls.clear();
  },
};

export interface HeldLease extends Lease {
  /** The limits it was granted under: a lease is spent only while they are unchanged. */
  limits: Limits;
  spent: number;
}

/**
 * Leases (lease-holder.ts). `held`: keyId → the lease this isolate holds, until it ends (expiry,
 * spent, limits changed). `returns`: keyId → unspent calls of ended leases, until handed back.
 * `freed`: keyId → how many times calls were made available to this isolate, MAX_REMEMBERED keys.
 * `inFlight`: keyId → limiter calls that grant a lease or hand calls back, while they run.
 */
const leases = {
  held: new Map<string, HeldLease>(),
  returns: new Map<string, LeaseReturn[]>(),
  freed: new Map<string, number>(),
  inFlight: new Map<string, Set<Promise<unknown>>>(),
  holderId: undefined as string | undefined,
  reset(): void {
    leases.held.clear();
    leases.returns.clear();
    leases.freed.clear();
    leases.inFlight.clear();
  },
};

export interface SealedBatch {
  batch: UsageBatch;
  sealedAt: number;
  attempts: number;
  inFlight: boolean;
}

/**
 * Usage (usage-recorder.ts): the batch being filled — `counters` (at most MAX_COUNTERS rows),
 * `requests` (keyId → its newest REQUESTS_PER_KEY_PER_SHARD entries), `pendingCalls` — until the
 * next flush seals it; `sealed` batches until their shard acknowledges them (at most MAX_SEALED
 * waiting, none older than an hour); whether a flush timer is set; when the last flush ran.
 */
const usage = {
  isolate: undefined as { id: string; shard: number } | undefined,
  sequence: 0,
  counters: new Map<string, CountRow>(),
  requests: new Map<string, RequestEntry[]>(),
  pendingCalls: 0,
  sealed: [] as SealedBatch[],
  timerSet: false,
  lastFlushAt: Number.NEGATIVE_INFINITY,
  /** Forgets every call and batch held; the last flush happened at `lastFlushAt`. */
  reset(lastFlushAt = Number.NEGATIVE_INFINITY): void {
    usage.counters = new Map();
    usage.requests = new Map();
    usage.pendingCalls = 0;
    usage.sealed = [];
    usage.timerSet = false;
    usage.lastFlushAt = lastFlushAt;
  },
};

export interface PublishedKeySet {
  url: string;
  fetchedAt: number;
  keys: Map<string, CryptoKey>;
}

/**
 * GitHub's published signing keys (leaks/github-keys.ts): the document last read, for
 * PUBLISHED_TTL_MS after GitHub published it, and when a fetch last failed (no new attempt for
 * REFETCH_MIN_MS).
 */
const githubKeys = {
  published: undefined as PublishedKeySet | undefined,
  failedAt: Number.NEGATIVE_INFINITY,
  reset(): void {
    githubKeys.published = undefined;
    githubKeys.failedAt = Number.NEGATIVE_INFINITY;
  },
};

/**
 * Work deferred past the response (step.ts afterResponse): each request's tasks waiting for the
 * isolate's one timer, and when that timer was armed (a timer not run within LATER_LOST_MS is taken
 * for lost and another armed). Not cleared by reset(): pending tasks run in their timer.
 */
const later = {
  batches: [] as LaterTask[][],
  armedAt: Number.NEGATIVE_INFINITY,
};

/** One open WebSocket (proxy/socket-watch.ts): set when a change to its key has been applied, so that its next tick re-checks it. */
export interface WatchedSocket {
  due: boolean;
}

export const memory = {
  keys,
  /**
   * Open WebSockets by their key's hash (proxy/socket-watch.ts), each from its upgrade until it
   * closes: how a change the feed applies reaches them. Bounded by the isolate's open connections.
   * Not cleared by reset(): the sockets are open whatever the tests forget.
   */
  sockets: new Map<string, Set<WatchedSocket>>(),
  later,
  feed,
  refusals,
  leases,
  usage,
  /** Failed authentications per client address, data-plane keys (AUTH_FAILURE_LIMIT); bounds in failure-limiter.ts. */
  failures: new FailureLimiter(),
  /** The same for admin tokens (ADMIN_AUTH_FAILURE_LIMIT): key floods never touch the admin API. */
  adminFailures: new FailureLimiter(),
  githubKeys,
  /**
   * Verify tokens by hash (verify/token-auth.ts): positive and negative lookups, MAX_REMEMBERED
   * hashes, each for VERIFY_TOKEN_TTL_MS; the isolate that revokes a token drops its entry.
   */
  verifyTokens: new TtlCache<VerifyTokenRecord | null>({ maxEntries: MAX_REMEMBERED, jitter: 0.2, ttlFor: (_v, _now, ttl) => ttl }),
  /** A new isolate, identities kept (tests). */
  reset(): void {
    keys.reset();
    feed.reset();
    refusals.reset();
    leases.reset();
    usage.reset();
    memory.failures.clear();
    memory.adminFailures.clear();
    githubKeys.reset();
    memory.verifyTokens.clear();
  },
};
