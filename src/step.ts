// The data plane's steps: plain functions that return a Response to end the request or undefined
// to go on. Run by `pipeline` in order, awaiting only steps that are asynchronous: a Hono
// middleware per step would cost a promise and a closure each, on every call.

import type { Context, Handler, MiddlewareHandler } from 'hono';
import type { AppEnv } from './env';
import { problemResponse, type ProblemOptions, type ProblemType } from './errors/problems';

export type Step = (c: Context<AppEnv>) => Response | undefined | Promise<Response | undefined>;

/** The problem response for this request (same renderer as onError, no exception thrown). */
export function refuse(c: Context<AppEnv>, type: ProblemType, options?: ProblemOptions): Response {
  c.set('outcome', type);
  return problemResponse(type, c.get('requestId'), options);
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as Promise<T> | undefined)?.then === 'function';
}

/** The steps, then `last`, as one handler. */
export function pipeline(steps: readonly Step[], last: (c: Context<AppEnv>) => Promise<Response>): Handler<AppEnv> {
  return async (c) => {
    for (const step of steps) {
      let result = step(c);
      if (isPromise(result)) result = await result;
      if (result !== undefined) return result;
    }
    return last(c);
  };
}

/** One step as a middleware, for steps that must run before routing (https, before the admin API). */
export function asMiddleware(step: Step): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    let result = step(c);
    if (isPromise(result)) result = await result;
    if (result !== undefined) return result;
    await next();
  };
}
