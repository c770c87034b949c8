// lastUsedAt without a write per call: each isolate remembers when it last saw each key and hands
// the batch to the registry after the response (waitUntil), at most every LAST_USED_FLUSH_MS: the
// first use after a quiet interval is sent at once, a later one by a delayed flush that the first
// use within the interval schedules — so the last burst is written even if no call follows.
// waitUntil lasts up to 30 s after the response, hence the interval's bound (env.ts). A failed
// flush is kept for the next one. Precision: the flush interval.

import type { StepContext } from '../step';
import { log } from '../log';
import { registry } from '../registry/client';

const MAX_PENDING = 10_000;
const pending = new Map<string, number>();
let lastFlush = Number.NEGATIVE_INFINITY;
let timerSet = false;

export function recordUse(c: StepContext, keyId: string, now: number): void {
  if (pending.size < MAX_PENDING || pending.has(keyId)) pending.set(keyId, now);
  const interval = c.get('config').lastUsedFlushMs;
  if (now - lastFlush >= interval) {
    c.executionCtx.waitUntil(flushLastUsed(c.env, now));
    return;
  }
  if (timerSet) return;
  timerSet = true;
  const env = c.env;
  c.executionCtx.waitUntil(
    new Promise((resolve) => setTimeout(resolve, lastFlush + interval - now)).then(() => {
      timerSet = false;
      return flushLastUsed(env);
    }),
  );
}

/** Sends what this isolate has seen to the registry (exported for tests). */
export async function flushLastUsed(env: Env, now = Date.now()): Promise<void> {
  lastFlush = now;
  if (pending.size === 0) return;
  const batch = Object.fromEntries(pending);
  pending.clear();
  try {
    await registry(env).touchKeys(batch);
  } catch (error) {
    for (const [id, at] of Object.entries(batch)) pending.set(id, Math.max(at, pending.get(id) ?? 0));
    log('warn', 'lastUsedAt flush failed', { keys: Object.keys(batch).length, error: String(error) });
  }
}
