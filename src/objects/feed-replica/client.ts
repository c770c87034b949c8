// The only code that calls the FeedReplica Durable Objects: one per region, by name, created with the
// region's location hint (the hint matters only when the object is first created).

import { storageCounters } from '../../bench-counters';
import type { LocationHint } from '../../core/placement';
import type { FeedReplica } from './object';

export function feedReplica(env: Env, region: LocationHint | 'default'): DurableObjectStub<FeedReplica> {
  storageCounters.replicaCalls++;
  const id = env.FEED.idFromName(`feed:${region}`);
  return region === 'default' ? env.FEED.get(id) : env.FEED.get(id, { locationHint: region });
}
