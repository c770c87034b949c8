// The change feed on the request path — what bounds revocation at 5 s everywhere, without a global
// round trip. A request may trust the key cache and KV only while this isolate's view is younger
// than MAX_STALENESS_MS (memory/feed-view.ts); when it is not, the request waits for a sync
// (feed/sync.ts: the location's copy, then the region's replica, then the registry), at most
// FEED_TIMEOUT_MS. Past that deadline FEED_FAILURE_POLICY decides: "refuse" (the default: 503
// auth-unavailable, authentication fails closed) or "serve-stale" (the cache and KV are trusted,
// and the bound degrades to KV's ~60 s).
//
// Quiet isolates would otherwise find their view stale at nearly every call, so each call keeps a
// background loop (waitUntil) refreshing the view whenever the tier above has news, for
// FEED_KEEP_FRESH_MS after it: an isolate that had a call in the last ~25 s never waits, and its
// location's copy stays fresh for the others.

import type { StepContext } from '../step';
import { log } from '../../log';
import { withDeadline } from '../../core/deadline';
import { AuthUnavailableError } from '../verify-key';
import { LocationCache } from './location-cache';
import { regionFor, type EdgeGeo, type LocationHint } from '../../core/placement';
import type { FreshnessOptions } from '../../config';
import { registryId } from '../../objects/registry/client';
import { sync, type Tiers } from './sync';
import { isFresh, view } from '../memory/feed-view';
import { memory, type FeedSync } from '../memory';

export { MAX_STALENESS_MS } from '../memory/feed-view';
const RETRY_AFTER_FAILURE_MS = 1_000;
/** A call renews the background loop when it has less than this much of its time left. */
const RENEW_BEFORE_END_MS = 20_000;
/** The loop never wakes more often than this. */
const LOOP_MIN_GAP_MS = 100;

const refresh = memory.feed.refresh;

/** This deployment's copy in this location (scoped by the registry's id: staging and production differ). */
async function openLocation(c: StepContext): Promise<LocationCache | null> {
  try {
    return await LocationCache.open(new URL(c.req.url).origin, registryId(c.env));
  } catch (error) {
    log('warn', 'change feed: no location cache', { error: String(error) });
    refresh.location = undefined; // tried again by the next sync
    return null;
  }
}

/** The sync under way, or a new one (its work is kept alive by this request's waitUntil). */
function start(c: StepContext, timeoutMs: number): FeedSync {
  if (refresh.running !== null) return refresh.running;
  refresh.holder ||= crypto.randomUUID();
  refresh.region ??= regionFor((c.req.raw as Request & { cf?: EdgeGeo }).cf);
  refresh.location ??= openLocation(c);
  const region = refresh.region;
  const location = refresh.location;
  let markFresh = () => {};
  const fresh = new Promise<void>((resolve) => (markFresh = resolve));
  const waitUntil = (p: Promise<unknown>) => c.executionCtx.waitUntil(p);
  const done = location
    .then((cache) => sync({ env: c.env, timeoutMs, region, location: cache, holder: refresh.holder, waitUntil } satisfies Tiers, markFresh))
    .finally(() => {
      markFresh();
      refresh.running = null;
    });
  refresh.running = { fresh, done };
  waitUntil(done);
  return refresh.running;
}

/** Refreshes the view whenever the tier above has news, until `refresh.loopUntil` or a newer loop takes over. */
async function keepFresh(c: StepContext, loop: number, timeoutMs: number): Promise<void> {
  for (;;) {
    const wakeAt = Math.max(view.refreshAt, Date.now() + LOOP_MIN_GAP_MS);
    if (refresh.loop !== loop || wakeAt >= refresh.loopUntil) return;
    await new Promise((resolve) => setTimeout(resolve, wakeAt - Date.now()));
    if (refresh.loop !== loop) return;
    if (Date.now() >= view.refreshAt && Date.now() - view.failedAt >= RETRY_AFTER_FAILURE_MS) await start(c, timeoutMs).done;
  }
}

/** serve-stale logs at most one line per isolate this often, with how many calls it covers (an outage is not a log flood). */
const STALE_LOG_EVERY_MS = 10_000;
const { staleLog } = memory.feed;

function staleAtDeadline(options: FreshnessOptions, requestId: string): void {
  if (options.policy === 'refuse') throw new AuthUnavailableError(new Error(`change feed not fresh within ${options.timeoutMs} ms`));
  staleLog.calls++;
  if (Date.now() - staleLog.at < STALE_LOG_EVERY_MS) return;
  log('warn', 'change feed stale: serving from cache and KV (FEED_FAILURE_POLICY=serve-stale)', { requestId, calls: staleLog.calls });
  staleLog.at = Date.now();
  staleLog.calls = 0;
}

/**
 * Keeps this isolate's view of key changes fresh. Returns a promise only when the request must wait
 * (the view is older than MAX_STALENESS_MS); otherwise refreshes in the background when due. The
 * promise rejects with AuthUnavailableError when the view is still stale at the deadline and the
 * policy is "refuse".
 */
export function ensureFresh(c: StepContext, now: number, options: FreshnessOptions): Promise<void> | undefined {
  if (options.keepFreshMs > 0 && refresh.loopUntil - now < RENEW_BEFORE_END_MS) {
    refresh.loopUntil = now + options.keepFreshMs;
    c.executionCtx.waitUntil(keepFresh(c, ++refresh.loop, options.timeoutMs));
  }
  const retrying = now - view.failedAt < RETRY_AFTER_FAILURE_MS;
  if (isFresh(now)) {
    if (now >= view.refreshAt && refresh.running === null && !retrying) start(c, options.timeoutMs);
    return undefined;
  }
  if (refresh.running === null && retrying) {
    staleAtDeadline(options, c.get('requestId'));
    return undefined;
  }
  const stale = () => staleAtDeadline(options, c.get('requestId'));
  return withDeadline(start(c, options.timeoutMs).fresh, options.timeoutMs, 'change feed').then(
    () => (isFresh(Date.now()) ? undefined : stale()),
    stale,
  );
}
