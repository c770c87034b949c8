// The data plane's steps: plain functions that return a Response to end the request or undefined
// to go on. Run by `pipeline` in order, awaiting only steps that are asynchronous: a Hono
// middleware per step would cost a promise and a closure each, on every call. Steps see the
// request through StepContext: Hono's Context, as the data plane's handler gets it (gateway.ts),
// and as the admin plane's first middleware does (requireHttps also guards the admin API).

import type { AppEnv } from '../app-env';
import { problemResponse, type ProblemOptions, type ProblemType } from '../errors/problems';

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

/** The problem response for this request (same renderer as onError, no exception thrown). */
export function refuse(c: StepContext, type: ProblemType, options?: ProblemOptions): Response {
  c.set('outcome', type);
  return problemResponse(type, c.get('requestId'), options);
}

/**
 * Runs `task` once the response has been handed back: in a timer (a later turn of the event loop
 * than the one that returns the response), kept alive by waitUntil. For work the client must neither
 * wait for nor be able to time — the refusal log line, the usage of a refused call. One timer per
 * request, however many tasks it defers (each timer and waitUntil costs CPU on the refusal path).
 */
export function afterResponse(c: StepContext, task: () => unknown): void {
  const queued = c.get('deferred');
  if (queued !== undefined) {
    queued.push(task);
    return;
  }
  const tasks = [task];
  c.set('deferred', tasks);
  c.executionCtx.waitUntil(
    new Promise<void>((resolve) => setTimeout(resolve, 0)).then(() => {
      for (const t of tasks) t();
    }),
  );
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
