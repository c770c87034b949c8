// The data plane's steps: plain functions that return a Response to end the request or undefined
// to go on. Run by `pipeline` in order, awaiting only steps that are asynchronous: a Hono
// middleware per step would cost a promise and a closure each, on every call. Steps see the
// request through StepContext: Hono's Context, as the data plane's handler gets it (gateway.ts),
// and as the admin plane's first middleware does (requireHttps also guards the admin API).

import type { AppEnv } from '../app-env';
import { problemResponse, type ProblemOptions, type ProblemType } from '../errors/problems';
import type { LaterTask } from '../app-env';
import { memory } from './memory';
import { log } from '../log';

type Variables = AppEnv['Variables'];

/** What a step may read of its request and share with later steps. */
export interface StepContext {
  readonly env: AppEnv['Bindings'];
  readonly executionCtx: { waitUntil(promise: Promise<unknown>): void };
  readonly req: { readonly raw: Request; readonly url: string; readonly method: string; header(name: string): string | undefined };
  get<K extends keyof Variables>(key: K): Variables[K];
  set<K extends keyof Variables>(key: K, value: Variables[K]): void;
}

export type Step = (c: StepContext) => Response | undefined | Promise<Response | undefined>;

const HSTS = 'max-age=63072000; includeSubDomains';

/** The headers every response gets: X-Request-Id, and HSTS on https only (RFC 6797 §7.2). */
export function stampResponse(headers: Headers, requestId: string, url: string): void {
  headers.set('X-Request-Id', requestId);
  if (url.startsWith('https:')) headers.set('Strict-Transport-Security', HSTS);
}

/**
 * The problem response for this request (same renderer as onError, no exception thrown), with the
 * headers stampResponse would add already in it: `stamped` names it, so that the data plane stamps
 * every other response (a fault's, the origin's) as before.
 */
export function refuse(c: StepContext, type: ProblemType, options?: ProblemOptions): Response {
  c.set('outcome', type);
  const response = problemResponse(type, c.get('requestId'), options, c.req.url.startsWith('https:') ? HSTS : undefined);
  c.set('stamped', response);
  return response;
}

/** A timer armed this long ago and not run is taken for lost (its request's context gone): the next deferral arms another. */
const LATER_LOST_MS = 1_000;

/**
 * Runs `task` once the response has been handed back: in a timer (a later turn of the event loop
 * than the one that returns the response), kept alive by waitUntil. For work the client must neither
 * wait for nor be able to time — the refusal log line, the usage of a refused call.
 *
 * A timer's turn costs more CPU than the rest of a refusal (~78 µs, `node bench/ops.mjs timer-turn`),
 * so the isolate keeps one: the request that finds none armed arms it and keeps it alive with its
 * waitUntil; a request that defers work before it fires only queues its tasks and ends. A task runs
 * in the timer's request, so it is handed that request's waitUntil (its own request may be over);
 * its log lines belong to that invocation too (they carry their own requestId). A request whose
 * tasks another runs must not wait on them: waking each waiting request from the timer costs it a
 * turn of its own, more than the timer saved (`node bench/ab.mjs … C-neg`).
 */
export function afterResponse(c: StepContext, task: LaterTask): void {
  const queued = c.get('deferred');
  if (queued !== undefined) {
    queued.push(task);
    return;
  }
  const tasks = [task];
  c.set('deferred', tasks);
  const { later } = memory;
  later.batches.push(tasks);
  const now = Date.now();
  if (later.batches.length > 1 && now - later.armedAt < LATER_LOST_MS) return;
  later.armedAt = now;
  const waitUntil = (promise: Promise<unknown>) => c.executionCtx.waitUntil(promise);
  waitUntil(new Promise<void>((resolve) => setTimeout(resolve, 0)).then(() => runLater(waitUntil)));
}

function runLater(waitUntil: (promise: Promise<unknown>) => void): void {
  const { later } = memory;
  later.armedAt = Number.NEGATIVE_INFINITY;
  for (const tasks of later.batches.splice(0)) {
    for (const task of tasks) {
      try {
        task(waitUntil);
      } catch (error) {
        log('error', 'deferred work failed', { error: String(error) });
      }
    }
  }
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as Promise<T> | undefined)?.then === 'function';
}

/** The steps, then `last`, as one function. */
export function pipeline(steps: readonly Step[], last: (c: StepContext) => Promise<Response>): (c: StepContext) => Promise<Response> {
  return async (c) => {
    for (const step of steps) {
      let result = step(c);
      if (isPromise(result)) result = await result;
      if (result !== undefined) return result;
    }
    return last(c);
  };
}
