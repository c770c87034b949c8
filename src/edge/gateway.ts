// Every call outside /_keygate: the request path of design.md without a router. Hono's routing,
// middleware composition and Context were part of ~35 µs of CPU a call in the benchmark
// (`node bench/ab.mjs`, README "Performance"); a proxied call needs only the steps, which see it
// through StepContext.
// app.ts lists the steps; this file runs them: step 1 (request id, configuration) before, the
// response headers (X-Request-Id, HSTS on https, CORS) and usage (step 13) after.

import { applyCorsHeaders } from './cors';
import { ConfigError } from '../errors/config-error';
import { configFor } from '../config';
import type { AppEnv } from '../app-env';
import { ApiError, problemResponse } from '../errors/problems';
import { log, setLogLevel } from '../log';
import { afterResponse, type StepContext } from './step';
import { recordCall } from './usage-recorder';

type Variables = AppEnv['Variables'];

const HSTS = 'max-age=63072000; includeSubDomains';

/** The request as steps read it: url and method read once from the platform object. */
class GatewayRequest {
  readonly url: string;
  readonly method: string;
  constructor(readonly raw: Request) {
    this.url = raw.url;
    this.method = raw.method;
  }
  header(name: string): string | undefined {
    return this.raw.headers.get(name) ?? undefined;
  }
}

class GatewayContext implements StepContext {
  readonly req: GatewayRequest;
  private readonly vars: Partial<Variables> = {};
  constructor(
    request: Request,
    readonly env: AppEnv['Bindings'],
    readonly executionCtx: ExecutionContext,
  ) {
    this.req = new GatewayRequest(request);
  }
  get<K extends keyof Variables>(key: K): Variables[K] {
    return this.vars[key] as Variables[K];
  }
  set<K extends keyof Variables>(key: K, value: Variables[K]): void {
    this.vars[key] = value;
  }
}

/** True for `/_keygate` and everything below it: the admin API, its docs, the dashboard. */
export function isAdminPath(url: string): boolean {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start === -1 || !url.startsWith('/_keygate', start)) return false;
  const next = url.charCodeAt(start + 9);
  return Number.isNaN(next) || next === 0x2f || next === 0x3f || next === 0x23; // end, '/', '?', '#'
}

/** The one answer to a thrown error (onError of the admin app too): problem+json, never a stack. */
export function faultResponse(error: unknown, requestId: string | undefined): Response {
  const id = requestId ?? crypto.randomUUID();
  if (error instanceof ApiError) return problemResponse(error.type, id, error.options);
  if (error instanceof ConfigError) {
    log('error', 'configuration invalid', { requestId: id, error: error.message });
    return problemResponse('misconfigured', id, { detail: error.message });
  }
  log('error', 'unhandled error', { requestId: id, error: String(error), stack: error instanceof Error ? error.stack : undefined });
  return problemResponse('internal-error', id);
}

/** Step 1 for either plane: a request id, the client address, the parsed configuration. */
export function beginRequest(c: StepContext): void {
  c.set('requestId', crypto.randomUUID());
  c.set('clientIp', c.req.header('cf-connecting-ip') ?? '');
  const config = configFor(c.env);
  c.set('config', config);
  setLogLevel(config.logLevel);
}

/** The headers every response gets: X-Request-Id, and HSTS on https only (RFC 6797 §7.2). */
export function stampResponse(headers: Headers, requestId: string, url: string): void {
  headers.set('X-Request-Id', requestId);
  if (url.startsWith('https:')) headers.set('Strict-Transport-Security', HSTS);
}

/** The data plane as a fetch handler: `run` is app.ts's pipeline of steps 2–12. */
export function dataPlane(run: (c: StepContext) => Promise<Response>) {
  return async (request: Request, env: AppEnv['Bindings'], ctx: ExecutionContext): Promise<Response> => {
    const startedAt = Date.now();
    const c = new GatewayContext(request, env, ctx);
    let response: Response;
    try {
      beginRequest(c);
      response = await run(c);
    } catch (error) {
      response = faultResponse(error, c.get('requestId'));
    }
    // A HEAD answer has no body, refusals included (HTTP clients drop it; binding callers would not).
    if (response.body !== null && c.req.method === 'HEAD') response = new Response(null, response);
    stampResponse(response.headers, c.get('requestId'), c.req.url); // set first thing by beginRequest
    const config = c.get('config');
    // Without a valid configuration there is no CORS policy to apply and nowhere to count usage.
    if (config === undefined) return response;
    const origin = request.headers.get('origin');
    if (origin !== null && config.cors.origins.has(origin)) applyCorsHeaders(response.headers, origin);
    // 13 usage, batched. A refused key's call is counted after the response (afterResponse), so that
    // a known key's request-log entry costs its refusal no time that an unknown key's would not.
    const outcome = c.get('outcome');
    if (outcome === 'invalid-api-key' || outcome === 'too-many-failures') afterResponse(c, () => recordCall(c, startedAt, response.status));
    else recordCall(c, startedAt, response.status);
    return response;
  };
}
