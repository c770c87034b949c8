// One refresh of this isolate's view, nearest tier first: the location's copy (Cache API), the
// region's replica, the registry. A copy that is fresh ends the wait of any request at once
// (`markFresh`); if it is also due, this isolate claims the location's refresh and asks the
// replica in the background, leaving the answer in the location for the others.

import { withDeadline } from '../../core/deadline';
import { log } from '../../log';
import { registry } from '../../objects/registry/client';
import { feedReplica } from '../../objects/feed-replica/client';
import type { LocationCache } from './location-cache';
import type { LocationHint } from '../../core/placement';
import type { FeedSnapshot } from '../../core/feed-snapshot';
import { applySnapshot, isFresh, lookAgainAt, MAX_STALENESS_MS, view } from '../memory/feed-view';

const CACHE_TIMEOUT_MS = 100;
/** Another isolate holds the location's refresh: look at the copy again this much later. */
const CLAIMED_RECHECK_MS = 250;
/** A view older than this has had no background refresh for a while (FEED_KEEP_FRESH_MS is 25 s). */
const ASK_REGION_AT_ONCE_MS = 10_000;
/** Without a `refreshAt` from above (the registry answered directly), look again after this long. */
const DIRECT_RECHECK_MS = 2_000;

export interface Tiers {
  env: Env;
  timeoutMs: number;
  region: LocationHint | 'default';
  location: LocationCache | null;
  /** This isolate, in the location's refresh claims. */
  holder: string;
  waitUntil: (promise: Promise<unknown>) => void;
}

async function quietly<T>(tier: string, run: () => Promise<T>): Promise<T | null> {
  try {
    return await run();
  } catch (error) {
    log('warn', 'change feed: tier unavailable', { tier, error: String(error) });
    return null;
  }
}

/** Reads the location's copy into the view; its refreshAt, or null when there is none. */
async function readLocation(location: LocationCache): Promise<number | null> {
  const copy = await quietly('location', () => withDeadline(location.read(), CACHE_TIMEOUT_MS, 'location cache'));
  if (copy === null) return null;
  const { head } = copy;
  if (head.confirmedAt > view.confirmedAt && head.latest >= view.cursor) {
    const knowsAll = head.latest === view.cursor && head.since <= view.cursor;
    const entries = knowsAll ? [] : await quietly('location', () => copy.entries());
    if (entries !== null) applySnapshot({ ...head, entries }, Date.now());
  }
  return head.refreshAt;
}

function askRegion(tiers: Tiers): Promise<FeedSnapshot | null> {
  const budget = Math.max(1, Math.floor(tiers.timeoutMs / 2));
  return quietly('replica', () => withDeadline(feedReplica(tiers.env, tiers.region).snapshot(), budget, 'feed replica'));
}

export async function sync(tiers: Tiers, markFresh: () => void): Promise<void> {
  const { location } = tiers;
  // A view this old means this isolate kept nothing fresh for a while, and its location likely did
  // not either: the region is asked at once, beside the location, so a quiet call waits one round
  // trip, not two. Whichever vouches first ends the request's wait.
  const early = !isFresh(Date.now()) && Date.now() - view.confirmedAt >= ASK_REGION_AT_ONCE_MS ? askRegion(tiers) : null;
  if (location !== null) {
    const refreshAt = await readLocation(location);
    if (isFresh(Date.now())) {
      markFresh();
      if (early === null && refreshAt !== null && Date.now() < refreshAt) return lookAgainAt(refreshAt);
      if (early === null) {
        const mine = await quietly('location', () =>
          withDeadline(location.claim(tiers.holder, Date.now()), CACHE_TIMEOUT_MS, 'location cache'),
        );
        if (mine === false) return lookAgainAt(Date.now() + CLAIMED_RECHECK_MS);
      }
    }
  }
  // The location is due, or has no fresh copy: ask the region, and leave its answer there.
  const page = await (early ?? askRegion(tiers));
  if (page !== null) {
    applySnapshot(page, Date.now());
    lookAgainAt(page.refreshAt);
    if (location !== null && Date.now() - page.confirmedAt < MAX_STALENESS_MS)
      tiers.waitUntil(quietly('location', () => location.write(page)));
  }
  if (isFresh(Date.now())) return markFresh();
  // The region could not vouch for a fresh view: the registry itself.
  const direct = await quietly('registry', () => withDeadline(registry(tiers.env).changesSince(view.cursor), tiers.timeoutMs, 'registry'));
  if (direct !== null) {
    applySnapshot(direct, Date.now());
    lookAgainAt(Date.now() + DIRECT_RECHECK_MS);
  }
  if (isFresh(Date.now())) markFresh();
  else view.failedAt = Date.now();
}
