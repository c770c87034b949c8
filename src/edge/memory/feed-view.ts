// This isolate's view of key changes (memory.feed.view): how far it has read the feed (`cursor`),
// registry time at which that view was complete (`confirmedAt`, what the revocation bound rests
// on), and when the tier above is expected to know more (`refreshAt`). Applying a snapshot writes
// its changes over the key cache and KV (verify-key.ts overrides).

import { applyEdgeRecord } from '../verify-key';
import { changesFor, type FeedSnapshot } from '../../core/feed-snapshot';
import { memory } from './index';

/** Trust the cache and KV for this long after the view's confirmedAt (the 5 s bound, less a margin for clocks). */
export const MAX_STALENESS_MS = 4_000;
/** Isolates of a location look again at random moments within this long after `refreshAt`, so one of them refreshes first. */
const REFRESH_JITTER_MS = 250;

export const view = memory.feed.view;

export const isFresh = (now: number): boolean => now - view.confirmedAt < MAX_STALENESS_MS;

/** Takes what `snapshot` adds to the view (nothing when it knows as much); true if it did. */
export function applySnapshot(snapshot: FeedSnapshot, now: number): boolean {
  const plan = changesFor(view.cursor, view.confirmedAt, snapshot);
  if (plan === null) return false;
  if (plan.reset) {
    memory.keys.reset();
    for (const watched of memory.sockets.values()) for (const socket of watched) socket.due = true;
  }
  for (const entry of plan.entries) applyEdgeRecord(entry.hash, entry.record, entry.at, now);
  view.cursor = snapshot.latest;
  view.confirmedAt = snapshot.confirmedAt;
  return true;
}

/** The next look at the tier above: `at`, plus this isolate's jitter. */
export function lookAgainAt(at: number): void {
  view.refreshAt = at + Math.random() * REFRESH_JITTER_MS;
}
