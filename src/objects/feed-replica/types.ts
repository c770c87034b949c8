// What a FeedReplica answers over RPC: the registry's change feed as the replica holds it (the
// shape is core's, shared with the registry that produces it and the isolates that read it).

export type { FeedSnapshot } from '../../core/feed-snapshot';
