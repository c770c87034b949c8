// The FeedReplica's SQLite schema: none. It keeps the registry's feed in memory only (a restarted
// replica asks the registry before it answers), so its SQLite stays empty at version 0. Should it
// ever store something, the first step goes here, literal SQL, appended only as in the others.

import type { Migrations } from '../sqlite-object';

export const FEED_REPLICA_MIGRATIONS: Migrations = [];

export const FEED_REPLICA_SCHEMA_VERSION = FEED_REPLICA_MIGRATIONS.length;
