// Simulating "another isolate" inside the test isolate: forget every cached key, override and feed
// position, as an isolate that never saw this test's admin calls would.

import { env } from 'cloudflare:test';
import { clearKeyCache } from '../../src/keys/verify';
import { resetFeedState, setFeedState } from '../../src/keys/feed';
import { registry } from '../../src/registry/client';

/** A fresh isolate that has just synced the feed: it knows no key, and has no news pending. */
export async function otherIsolateSynced(): Promise<void> {
  clearKeyCache();
  const { latest } = await registry(env).changesSince(Number.MAX_SAFE_INTEGER, Date.now());
  setFeedState(latest, Date.now());
}

/** A fresh isolate that has never synced the feed. */
export function otherIsolateCold(): void {
  clearKeyCache();
  resetFeedState();
}
