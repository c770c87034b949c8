// FeedReplica: one Durable Object per region (created with that region's location hint), holding the
// registry's change feed of the last KV_STALENESS_MS in memory. It polls the registry every
// REPLICA_POLL_MS while any location of its region has asked within KEEP_AWAKE_MS, so an isolate's
// freshness check costs a regional round trip, and the registry's load is one call per region per
// poll, whatever the number of locations and isolates. Nothing here is durable: a restarted
// replica asks the registry before it answers.

import { withDeadline } from '../../core/deadline';
import { mergePage } from '../../core/feed-snapshot';
import { log } from '../../log';
import { registry } from '../registry/client';
import { SqliteObject } from '../sqlite-object';
import { FEED_REPLICA_MIGRATIONS } from './schema';
import type { FeedSnapshot } from './types';

export const REPLICA_POLL_MS = 2_000;
/** A replica nobody asked for this long stops polling (and is evicted in time). */
export const KEEP_AWAKE_MS = 10 * 60_000;
/** Asked with a window older than this (just started, or polls failing), it asks the registry first. */
const ANSWER_FRESH_MS = REPLICA_POLL_MS + 1_000;
const REGISTRY_TIMEOUT_MS = 1_000;
/** Consumers come back a little after the next poll's answer is due. */
const REFRESH_MARGIN_MS = 50;

export class FeedReplica extends SqliteObject {
  private window: FeedSnapshot | null = null;
  private pulling: Promise<void> | null = null;
  private askedAt = 0;
  private polledAt = 0;
  private roundTripMs = 0;
  private alarmSet = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, FEED_REPLICA_MIGRATIONS);
  }

  /** The window as this replica has it (its `confirmedAt` tells how fresh); a restarted one asks first. */
  async snapshot(): Promise<FeedSnapshot> {
    const now = Date.now();
    this.askedAt = now;
    if (!this.alarmSet) {
      this.alarmSet = true;
      await this.ctx.storage.setAlarm(now + REPLICA_POLL_MS);
    }
    if (this.window === null || now - this.window.confirmedAt >= ANSWER_FRESH_MS) await this.pull().catch(() => undefined);
    const window = this.window ?? { latest: 0, since: 0, confirmedAt: Number.NEGATIVE_INFINITY, refreshAt: 0, entries: [] };
    return { ...window, refreshAt: this.newsAt(Date.now()) };
  }

  /** When consumers should look again: once the poll under way (or the next one) has answered. */
  private newsAt(now: number): number {
    const next = this.polledAt + REPLICA_POLL_MS;
    // An overdue poll (a late alarm) starts now rather than sending every consumer back at once.
    if (this.pulling === null && now >= next) void this.pull().catch(() => undefined);
    const started = this.pulling !== null ? this.polledAt : Math.max(next, now);
    return Math.max(started + this.roundTripMs + REFRESH_MARGIN_MS, now + REFRESH_MARGIN_MS);
  }

  override async alarm(): Promise<void> {
    this.alarmSet = false;
    await this.pull().catch(() => undefined);
    if (Date.now() - this.askedAt < KEEP_AWAKE_MS) {
      this.alarmSet = true;
      await this.ctx.storage.setAlarm(Math.max(this.polledAt + REPLICA_POLL_MS, Date.now() + 100));
    }
  }

  /** One registry call at a time; a failure keeps the window (its confirmedAt ages, consumers see it). */
  private pull(): Promise<void> {
    this.pulling ??= this.askRegistry().finally(() => {
      this.pulling = null;
    });
    return this.pulling;
  }

  private async askRegistry(): Promise<void> {
    const started = Date.now();
    this.polledAt = started;
    try {
      const page = await withDeadline(registry(this.env).changesSince(this.window?.latest ?? 0), REGISTRY_TIMEOUT_MS, 'registry');
      this.roundTripMs = Date.now() - started;
      this.window = mergePage(this.window, page);
    } catch (error) {
      log('warn', 'feed replica: registry unavailable', { error: String(error) });
      throw error;
    }
  }
}
