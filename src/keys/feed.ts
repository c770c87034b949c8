// The isolate side of the registry's change feed — what bounds revocation at 5 s everywhere. Each
// isolate asks the registry for changes every POLL_MS (in the background, via waitUntil); a request
// that finds the last sync older than MAX_STALENESS_MS waits for a fresh one before trusting its
// cache or KV. One registry call per isolate per ~2 s, never one per request.

import type { StepContext } from '../step';
import { log } from '../log';
import { registry } from '../registry/client';
import { applyEdgeRecord, clearKeyCache } from './verify';

export const POLL_MS = 2_000;
export const MAX_STALENESS_MS = 4_000;
const RETRY_AFTER_FAILURE_MS = 1_000;

const state = {
  cursor: 0,
  syncedAt: Number.NEGATIVE_INFINITY,
  attemptedAt: Number.NEGATIVE_INFINITY,
  running: null as Promise<void> | null,
};

async function sync(env: Env): Promise<void> {
  const started = Date.now();
  state.attemptedAt = started;
  try {
    const page = await registry(env).changesSince(state.cursor, started);
    const now = Date.now();
    if (page.reset) clearKeyCache();
    for (const entry of page.entries) applyEdgeRecord(entry.hash, entry.record, entry.at, now);
    state.cursor = page.latest;
    state.syncedAt = started;
  } catch (error) {
    log('warn', 'change feed unavailable', { error: String(error) });
  }
}

function start(env: Env): Promise<void> {
  state.running ??= sync(env).finally(() => {
    state.running = null;
  });
  return state.running;
}

/**
 * Keeps this isolate's view of key changes fresh. Returns a promise only when the request must wait
 * (the last sync is older than MAX_STALENESS_MS); otherwise refreshes in the background if due.
 * If the registry cannot be reached the request goes on: the bound then degrades to KV's.
 */
export function ensureFresh(c: StepContext, now: number): Promise<void> | undefined {
  const age = now - state.syncedAt;
  if (age < POLL_MS) return undefined;
  if (now - state.attemptedAt < RETRY_AFTER_FAILURE_MS && state.running === null) return undefined;
  const running = start(c.env);
  if (age >= MAX_STALENESS_MS) return running;
  c.executionCtx.waitUntil(running);
  return undefined;
}

/** Test hook: the feed as a fresh isolate has it (never synced). */
export function resetFeedState(): void {
  state.cursor = 0;
  state.syncedAt = Number.NEGATIVE_INFINITY;
  state.attemptedAt = Number.NEGATIVE_INFINITY;
  state.running = null;
}

/** Test hook: the feed as an isolate has it that synced up to `cursor` at `at`. */
export function setFeedState(cursor: number, at: number): void {
  state.cursor = cursor;
  state.syncedAt = at;
  state.attemptedAt = at;
}
