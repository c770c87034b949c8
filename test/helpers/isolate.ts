// Simulating "another isolate" inside the test isolate: forget every cached key, override and feed
// position, as an isolate that never saw this test's admin calls would. "Another location" also
// has no copy of the feed in its (per data center) cache.

import { env, runDurableObjectAlarm } from 'cloudflare:test';
import { memory } from '../../src/edge/memory';
import { openFeedCache, snapshotUrl } from '../../src/edge/feed/location-cache';
import { registry } from '../../src/objects/registry/client';
import { feedReplica } from '../../src/objects/feed-replica/client';
import { BASE } from './gateway';

/** A fresh isolate that has just synced the feed: it knows no key, and has no news pending. */
export async function otherIsolateSynced(): Promise<void> {
  memory.keys.reset();
  const { latest } = await registry(env).changesSince(Number.MAX_SAFE_INTEGER);
  memory.feed.reset();
  memory.feed.setView(latest, Date.now(), Date.now() + 2_000);
}

/** A fresh isolate, never synced, in this location (whose cache may hold a recent copy of the feed). */
export function otherIsolateCold(): void {
  memory.keys.reset();
  memory.feed.reset();
}

/** A fresh isolate, never synced, in a location whose cache holds no copy of the feed. */
export async function otherLocationCold(): Promise<void> {
  otherIsolateCold();
  await emptyLocationCache();
}

/** Drops this location's copy of the feed (the test's requests all use BASE's host). */
export async function emptyLocationCache(): Promise<void> {
  const cache = await openFeedCache();
  await cache?.delete(snapshotUrl(BASE, env.REGISTRY.idFromName('registry').toString()));
}

/** This region's replica polls the registry now (as its alarm does every 2 s). */
export async function regionCaughtUp(): Promise<void> {
  await runDurableObjectAlarm(feedReplica(env, 'default'));
}
