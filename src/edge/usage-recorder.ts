// Step 13: usage, after the response, off the hot path. Each call adds to this isolate's batch (a
// counter per minute × key × route × status class × outcome, and a request-log entry for calls
// that carried a known key). The batch is flushed to this isolate's UsageShard with waitUntil at
// most every USAGE_FLUSH_MS, or at once when it holds USAGE_FLUSH_EVENTS calls: one Durable Object
// call per flush. A flush is sealed with an id (isolate:sequence) before it is sent; a failed one
// is kept and re-sent with the same id, which the shard applies once. Counting fails open: a
// failure is logged, the call was already served. An isolate that disappears loses at most its
// unsent batch.

import type { StepContext } from './step';
import { rawPath } from '../core/url';
import type { Principal } from '../core/principal';
import { log } from '../log';
import { withDeadline } from '../core/deadline';
import { usageShard } from '../objects/usage/client';
import { REQUESTS_PER_KEY_PER_SHARD, USAGE_SHARDS, type UsageBatch } from '../objects/usage/types';
import { memory, type SealedBatch } from './memory';

/** A sealed batch is given up after this long (the shard remembers flush ids for a day). */
const SEALED_MAX_AGE_MS = 3_600_000;
const MAX_SEALED = 20;
const MAX_COUNTERS = 20_000;
const MAX_TEXT = 256;
/** A flush the shard has not acknowledged in this long is retried with the next one. */
const FLUSH_TIMEOUT_MS = 10_000;

const usage = memory.usage;

function self(): { id: string; shard: number } {
  // Random values may only be drawn while handling a request, so not at module load.
  return (usage.isolate ??= { id: crypto.randomUUID(), shard: crypto.getRandomValues(new Uint32Array(1))[0]! % USAGE_SHARDS });
}

function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}

function clip(value: string | null | undefined): string {
  if (!value) return '';
  return value.length > MAX_TEXT ? value.slice(0, MAX_TEXT) : value;
}

/** The path without the query (queries may carry personal data; keys in URLs are refused anyway). */
function pathOf(url: string): string {
  return clip(rawPath(url));
}

type WaitUntil = (promise: Promise<unknown>) => void;

/**
 * Adds one finished data-plane call to the batch; never throws. `waitUntil` keeps a flush alive: the
 * request's own, or the one running deferred work (step.ts afterResponse).
 */
export function recordCall(
  c: StepContext,
  startedAt: number,
  status: number,
  waitUntil: WaitUntil = (promise) => c.executionCtx.waitUntil(promise),
): void {
  try {
    const now = Date.now();
    // The key the call is counted under: the admitted one, or a known key that was refused.
    const principal = (c.get('principal') as Principal | undefined) ?? c.get('refusedKey');
    const keyId = principal?.keyId ?? '';
    const route = c.get('routeRule')?.name ?? '';
    const cls = statusClass(status);
    const outcome = c.get('outcome') ?? (status < 400 ? 'allowed' : 'internal-error');
    const minute = now - (now % 60_000);
    const id = `${minute}|${keyId}|${route}|${cls}|${outcome}`;
    const known = usage.counters.get(id);
    if (known !== undefined) known.count++;
    else if (usage.counters.size < MAX_COUNTERS) {
      usage.counters.set(id, { minute, keyId, projectId: principal?.projectId ?? '', route, statusClass: cls, outcome, count: 1 });
    }
    if (principal !== undefined) {
      const request = c.req.raw;
      let log = usage.requests.get(keyId);
      if (log === undefined) usage.requests.set(keyId, (log = []));
      else if (log.length >= REQUESTS_PER_KEY_PER_SHARD) log.shift();
      log.push({
        at: now,
        requestId: c.get('requestId'),
        keyId,
        method: request.method,
        path: pathOf(request.url),
        route,
        status,
        latencyMs: now - startedAt,
        clientIp: c.get('clientIp'),
        country: clip((request.cf as { country?: string } | undefined)?.country),
        userAgent: clip(request.headers.get('user-agent')),
        outcome,
      });
    }
    usage.pendingCalls++;
    schedule(c, now, waitUntil);
  } catch (error) {
    log('warn', 'usage not recorded', { requestId: c.get('requestId'), error: String(error) });
  }
}

function schedule(c: StepContext, now: number, waitUntil: WaitUntil): void {
  const { usageFlushMs, usageFlushEvents } = c.get('config');
  // A clock that stepped back past the last flush counts as due: the wait below stays within one interval.
  const sinceFlush = now - usage.lastFlushAt;
  if (usage.pendingCalls >= usageFlushEvents || usage.counters.size >= MAX_COUNTERS || sinceFlush >= usageFlushMs || sinceFlush < 0) {
    waitUntil(flushUsage(c.env, now));
    return;
  }
  if (usage.timerSet) return;
  usage.timerSet = true;
  const env = c.env;
  waitUntil(
    new Promise((resolve) => setTimeout(resolve, usageFlushMs - sinceFlush)).then(() => {
      usage.timerSet = false;
      return flushUsage(env);
    }),
  );
}

function seal(now: number): void {
  if (usage.pendingCalls === 0) return;
  const batch: UsageBatch = {
    id: `${self().id}:${++usage.sequence}`,
    counts: [...usage.counters.values()],
    requests: [...usage.requests.values()].flat(),
  };
  usage.counters = new Map();
  usage.requests = new Map();
  usage.pendingCalls = 0;
  usage.sealed.push({ batch, sealedAt: now, attempts: 0, inFlight: false });
}

/**
 * Keeps at most MAX_SEALED batches waiting to be sent, dropping the oldest. The bound is on waiting
 * batches only: one on its way is held by its call whatever this list says, and dropping it here
 * would only lose its retry (and log a loss that did not happen).
 */
function boundWaiting(): void {
  let waiting = usage.sealed.reduce((n, s) => n + (s.inFlight ? 0 : 1), 0);
  while (waiting > MAX_SEALED) {
    const oldest = usage.sealed.findIndex((s) => !s.inFlight);
    const [dropped] = usage.sealed.splice(oldest, 1) as [SealedBatch];
    waiting--;
    log('error', 'usage batch dropped', { flushId: dropped.batch.id, reason: 'too many unsent batches' });
  }
}

/** Seals what this isolate holds and sends every unsent batch to its shard in one call. */
export async function flushUsage(env: Env, now = Date.now()): Promise<void> {
  usage.lastFlushAt = now;
  seal(now);
  usage.sealed = usage.sealed.filter((s) => {
    if (now - s.sealedAt <= SEALED_MAX_AGE_MS) return true;
    log('error', 'usage batch dropped', { flushId: s.batch.id, reason: 'undeliverable for an hour', attempts: s.attempts });
    return false;
  });
  boundWaiting(); // also after batches that failed together went back to waiting
  const ready = usage.sealed.filter((s) => !s.inFlight);
  if (ready.length === 0) return;
  for (const s of ready) s.inFlight = true;
  try {
    // A shard that does not answer in time: the batches wait for the next flush (their ids make a
    // late first delivery and the retry count once).
    await withDeadline(
      usageShard(env, self().shard).ingest(
        ready.map((s) => s.batch),
        Date.now(),
      ),
      FLUSH_TIMEOUT_MS,
      'usage shard',
    );
    usage.sealed = usage.sealed.filter((s) => !ready.includes(s));
  } catch (error) {
    for (const s of ready) {
      s.inFlight = false;
      s.attempts++;
    }
    log('warn', 'usage flush failed; kept for the next flush', { batches: ready.length, error: String(error) });
  }
}

/** For tests: what this isolate still holds (`sealed` counts batches on their way too). */
export function usageBacklog(): { pendingCalls: number; sealed: number; inFlight: number; shard: number } {
  return {
    pendingCalls: usage.pendingCalls,
    sealed: usage.sealed.length,
    inFlight: usage.sealed.filter((s) => s.inFlight).length,
    shard: self().shard,
  };
}
