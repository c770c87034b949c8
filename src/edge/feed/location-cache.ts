// The per-location tier: the Cache API is per data center, so one snapshot of the feed there serves
// every isolate of this Worker in that location. Isolates read it (a local round trip) and one of
// them, holding a short claim, refreshes it from the regional replica when it is due, so a
// location asks its replica about once per poll, however many isolates it runs.
//
// Only keygate writes here (a named cache, not reachable by client requests), but nothing trusts a
// copy further than its `confirmedAt`: an old copy served late just counts as stale. On
// *.workers.dev the Cache API does nothing (Cloudflare's docs): every isolate then asks its replica.

import type { FeedEntry, FeedSnapshot } from '../../core/feed-snapshot';

const CACHE_NAME = 'keygate-feed';
/** Copies are useless once older than the bound; the cache may drop them sooner. */
const SNAPSHOT_MAX_AGE_S = 30;
/** A refresh claimed this recently is left to its claimant. */
export const CLAIM_MS = 1_000;

const HEADER = {
  latest: 'keygate-feed-latest',
  since: 'keygate-feed-since',
  confirmedAt: 'keygate-feed-confirmed-at',
  refreshAt: 'keygate-feed-refresh-at',
  claimedAt: 'keygate-feed-claimed-at',
  claimedBy: 'keygate-feed-claimed-by',
} as const;

export type SnapshotHead = Omit<FeedSnapshot, 'entries'>;

/** A copy read from the cache: the head from its headers; the entries parsed only when needed. */
export interface CachedSnapshot {
  head: SnapshotHead;
  entries(): Promise<FeedEntry[]>;
}

function numberHeader(response: Response, name: string): number | null {
  const raw = response.headers.get(name);
  const n = raw === null ? NaN : Number(raw);
  return Number.isFinite(n) ? n : null;
}

/** Where a deployment's copy lives in the location's cache (exported for tests that empty it). */
export function snapshotUrl(origin: string, scope: string): string {
  return `${origin}/_keygate/internal/feed/${scope}/snapshot`;
}

export async function openFeedCache(): Promise<Cache | null> {
  return typeof caches === 'undefined' ? null : caches.open(CACHE_NAME);
}

export class LocationCache {
  private readonly snapshotUrl: string;
  private readonly claimUrl: string;

  /** `origin`: the Worker's own scheme and host (Cloudflare: cache keys should use it); `scope`: this deployment's registry. */
  constructor(
    private readonly cache: Cache,
    origin: string,
    scope: string,
  ) {
    this.snapshotUrl = snapshotUrl(origin, scope);
    this.claimUrl = this.snapshotUrl.replace(/snapshot$/, 'claim');
  }

  static async open(origin: string, scope: string): Promise<LocationCache | null> {
    const cache = await openFeedCache();
    return cache === null ? null : new LocationCache(cache, origin, scope);
  }

  /** The location's copy, or null when there is none (or it does not parse). */
  async read(): Promise<CachedSnapshot | null> {
    const response = await this.cache.match(this.snapshotUrl);
    if (response === undefined) return null;
    const head = {
      latest: numberHeader(response, HEADER.latest),
      since: numberHeader(response, HEADER.since),
      confirmedAt: numberHeader(response, HEADER.confirmedAt),
      refreshAt: numberHeader(response, HEADER.refreshAt),
    };
    if (head.latest === null || head.since === null || head.confirmedAt === null || head.refreshAt === null) {
      await response.body?.cancel();
      return null;
    }
    let body: Promise<FeedEntry[]> | undefined;
    return {
      head: head as SnapshotHead,
      entries: () => (body ??= response.json<FeedEntry[]>()),
    };
  }

  async write(snapshot: FeedSnapshot): Promise<void> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'cache-control': `max-age=${SNAPSHOT_MAX_AGE_S}`,
      [HEADER.latest]: String(snapshot.latest),
      [HEADER.since]: String(snapshot.since),
      [HEADER.confirmedAt]: String(snapshot.confirmedAt),
      [HEADER.refreshAt]: String(snapshot.refreshAt),
    };
    await this.cache.put(this.snapshotUrl, new Response(JSON.stringify(snapshot.entries), { headers }));
  }

  /**
   * True when `holder` (an isolate) may refresh the copy now: nobody else claimed it in the last
   * CLAIM_MS. The claim is written, then read back (the last writer wins), so isolates that looked
   * at once mostly agree on one; only two whose round trips interleave exactly both refresh (the
   * harness counts it: replica calls per location per poll).
   */
  async claim(holder: string, now: number): Promise<boolean> {
    const held = await this.readClaim();
    if (held !== null && held.by !== holder && now - held.at < CLAIM_MS) return false;
    const headers = {
      'cache-control': `max-age=${Math.ceil(CLAIM_MS / 1000) + 1}`,
      [HEADER.claimedAt]: String(now),
      [HEADER.claimedBy]: holder,
    };
    await this.cache.put(this.claimUrl, new Response(null, { headers }));
    // Nothing to read back: a cache that keeps nothing (*.workers.dev) cannot share the work.
    const after = await this.readClaim();
    return after === null || after.by === holder;
  }

  private async readClaim(): Promise<{ at: number; by: string } | null> {
    const held = await this.cache.match(this.claimUrl);
    if (held === undefined) return null;
    await held.body?.cancel();
    const at = numberHeader(held, HEADER.claimedAt);
    const by = held.headers.get(HEADER.claimedBy);
    return at === null || by === null ? null : { at, by };
  }
}
