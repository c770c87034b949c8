// lastUsedAt without a write per call: each isolate remembers when it last saw each key and hands
// the batch to the registry at most every LAST_USED_FLUSH_MS, after the response (waitUntil). A
// failed flush is kept for the next one. Precision: the flush interval.

import type { StepContext } from '../step';
import { log } from '../log';
import { registry } from '../registry/client';

export const LAST_USED_FLUSH_MS = 30_000;
const MAX_PENDING = 10_000;
const pending = new Map<string, number>();
let lastFlush = Number.NEGATIVE_INFINITY;

export function recordUse(c: StepContext, keyId: string, now: number): void {
  if (pending.size < MAX_PENDING || pending.has(keyId)) pending.set(keyId, now);
  if (now - lastFlush >= LAST_USED_FLUSH_MS) c.executionCtx.waitUntil(flushLastUsed(c.env, now));
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
