// The change feed as every tier holds it (registry page, regional replica, per-location cache,
// isolate): the edge records of keys changed in the last KV_STALENESS_MS, and how far the holder
// is complete. Pure: merging and applying are plain functions with unit tests.
//
// The revocation bound rests on one number, `confirmedAt`: registry time at which the holder had
// every change committed so far. It is only ever copied from a registry answer, never made up by a
// tier below, so a copy served late (a stale cache entry, a slow replica) says its own age.

import { KV_STALENESS_MS, type KeyRecord } from './key-record';

export interface FeedEntry {
  seq: number;
  hash: string;
  record: KeyRecord;
  at: number;
}

export interface FeedSnapshot {
  /** The highest seq the registry had at `confirmedAt`. */
  latest: number;
  /**
   * Every change with seq > since is in `entries`; those at or below it are older than KV's
   * staleness (KV serves them already), or were before the holder's window began.
   */
  since: number;
  /** Registry time (epoch ms) at which no committed change was missing. */
  confirmedAt: number;
  /** When the tier above is expected to know more (consumers refresh from then on). */
  refreshAt: number;
  entries: FeedEntry[];
}

/**
 * The registry's answer for a holder at cursor `after`, from its `changes` table: `latest` and the
 * first seq still inside the window at `now` (null when none is).
 */
export function registryPage(after: number, latest: number, firstRecent: number | null, rows: FeedEntry[], now: number): FeedSnapshot {
  const since = Math.max(after, firstRecent === null ? latest : firstRecent - 1);
  return { latest, since, confirmedAt: now, refreshAt: now, entries: rows.filter((r) => r.seq > since) };
}

/** Drops what KV serves by now (older than its staleness at `confirmedAt`), moving `since` past it. */
export function pruneWindow(window: FeedSnapshot): FeedSnapshot {
  const horizon = window.confirmedAt - KV_STALENESS_MS;
  let since = window.since;
  let i = 0;
  while (i < window.entries.length && (window.entries[i] as FeedEntry).at < horizon) {
    since = Math.max(since, (window.entries[i] as FeedEntry).seq);
    i++;
  }
  return i === 0 ? window : { ...window, since, entries: window.entries.slice(i) };
}

/**
 * A replica's window after the registry answered `page` (asked with after = window.latest). A page
 * that starts past the window (the replica slept longer than the window) replaces it.
 */
export function mergePage(window: FeedSnapshot | null, page: FeedSnapshot): FeedSnapshot {
  if (window === null || page.since > window.latest || page.latest < window.latest) return pruneWindow(page);
  const entries = page.entries.length === 0 ? window.entries : [...window.entries, ...page.entries.filter((e) => e.seq > window.latest)];
  return pruneWindow({ ...page, since: window.since, entries });
}

/** What a holder at `cursor` takes from `snapshot`: null when it knows as much or more already. */
export function changesFor(cursor: number, confirmedAt: number, snapshot: FeedSnapshot): { reset: boolean; entries: FeedEntry[] } | null {
  if (snapshot.latest < cursor || snapshot.confirmedAt <= confirmedAt) return null;
  const reset = cursor < snapshot.since;
  return { reset, entries: reset ? snapshot.entries : snapshot.entries.filter((e) => e.seq > cursor) };
}
