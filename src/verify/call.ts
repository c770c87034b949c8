// The decision (edge/decision.ts) run on a call that is described rather than received: the
// verifiers build the request the call would have been — its method, its path on keygate's host, its
// key in Authorization, its address in CF-Connecting-IP — and hand it to the same steps, the same
// caches and the same usage recording as the data plane (edge/gateway.ts dataPlane). Nothing is
// proxied: the last step only says the call would have been forwarded.

import type { AppEnv } from '../app-env';
import { decision } from '../edge/decision';
import { dataPlane } from '../edge/gateway';
import { pipeline, type StepContext } from '../edge/step';
import { nonCanonicalReason } from '../core/canonical-path';

type Variables = AppEnv['Variables'];

/** What a verifier knows of the call it decides. */
export interface DescribedCall {
  /** keygate's own origin (`https://…`): the change feed's per-location copy is keyed by it. */
  origin: string;
  method: string;
  /** Path and query as sent. */
  path: string;
  /** The credential the call carried, as its Authorization and X-API-Key would: '' for none. */
  key: string;
  clientIp: string;
  /** Names the verifier in the request log (User-Agent of the described call). */
  via: string;
}

/** A decided call: the answer the data plane would give on refusal (or a bare 200), and what the steps learnt. */
export interface Decided {
  response: Response;
  vars: Partial<Variables>;
}

const ADMITTED = (c: StepContext): Promise<Response> => {
  c.set('outcome', 'allowed');
  return Promise.resolve(new Response(null, { status: 200 }));
};

const decide = dataPlane(pipeline(decision, ADMITTED));

/**
 * A Request for exactly `url`, or null when the URL parser would rewrite it: `/a/../b`, `/a/%2e%2e/b`
 * and `\` are resolved by it before any step could see them, and what is decided must be the path
 * the caller named, as the data plane decides the path it forwards.
 */
export function exactRequest(url: string, init: RequestInit): Request | null {
  const request = new Request(url, init);
  return request.url === url ? request : null;
}

/** Why a path exactRequest refused is not canonical. */
export function rewrittenDetail(path: string): string {
  return nonCanonicalReason(path) ?? 'The path is not in the form it is sent in (the URL parser would rewrite it)';
}

/** The request the described call would have been (null: see exactRequest). Throws TypeError for a value no header can carry. */
export function describedRequest(call: DescribedCall): Request | null {
  const headers = new Headers({ 'user-agent': call.via });
  if (call.key !== '') headers.set('authorization', `Bearer ${call.key}`);
  if (call.clientIp !== '') headers.set('cf-connecting-ip', call.clientIp);
  return exactRequest(call.origin + call.path, { method: call.method, headers });
}

/** Runs the decision on `request` (a described call, or Envoy's check request reshaped) with these bindings. */
export async function decideCall(env: Env, waitUntil: (promise: Promise<unknown>) => void, request: Request): Promise<Decided> {
  const vars: Partial<Variables> = {};
  const c: StepContext = {
    env,
    executionCtx: { waitUntil },
    req: { raw: request, url: request.url, method: request.method, header: (name) => request.headers.get(name) ?? undefined },
    get: (name) => vars[name] as Variables[typeof name],
    set: (name, value) => {
      vars[name] = value;
    },
  };
  const response = await decide(c);
  return { response, vars };
}
