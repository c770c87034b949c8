// Every call outside /_keygate: the request path of design.md, run as the Hono app's handler for
// those paths (app.ts), Hono's Context as the steps' StepContext. Hono answers HEAD as GET without
// the body, refusals included. What Hono adds is one route match on the raw path (a single
// handler, no middleware chain) and its Context: about 2 µs a call in Node (a micro-benchmark of
// the steps' accessor pattern). `node bench/ab.mjs` on 2026-12-02 (9 rounds, a shared 2-core
// machine) put Hono's CPU per call at -60, -31, +62, +66 µs in C-hit and -15, +5, +7, +20 µs in
// C-neg, where identical code differed by +83 µs: below what it resolves. The router-less context
// this replaced was credited with ~35 µs, measured when every step was a Hono middleware.
// app.ts lists the steps; this file runs them: step 1 (request id, configuration) before, the
// response headers (X-Request-Id, HSTS on https, CORS) and usage (step 13) after.

import { applyCorsHeaders } from './cors';
import { ConfigError } from '../errors/config-error';
import { configFor } from '../config';
import type { AppEnv } from '../app-env';
import { ApiError, problemResponse } from '../errors/problems';
import { log, setLogLevel } from '../log';
import { afterResponse, stampResponse, type StepContext } from './step';
import { recordCall } from './usage-recorder';
import { rawPath } from '../core/url';

/** The path Hono routes on: as sent, never percent-decoded (`/%5Fkeygate` is the data plane's, refused there as non-canonical). */
export const routingPath = (request: Request): string => rawPath(request.url);

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

/** The data plane as the Hono handler of every path outside /_keygate: `run` is app.ts's pipeline of steps 2–12. */
export function dataPlane(run: (c: StepContext) => Promise<Response>) {
  return async (c: StepContext): Promise<Response> => {
    const startedAt = Date.now();
    let response: Response;
    try {
      beginRequest(c);
      response = await run(c);
    } catch (error) {
      response = faultResponse(error, c.get('requestId'));
    }
    // A refusal carries them already (step.ts refuse); the id was set first thing by beginRequest.
    if (c.get('stamped') !== response) stampResponse(response.headers, c.get('requestId'), c.req.url);
    const config = c.get('config');
    // Without a valid configuration there is no CORS policy to apply and nowhere to count usage.
    if (config === undefined) return response;
    const origin = c.req.raw.headers.get('origin');
    if (origin !== null && config.cors.origins.has(origin)) applyCorsHeaders(response.headers, origin);
    // 13 usage, batched. A refused key's call is counted after the response (afterResponse), so that
    // a known key's request-log entry costs its refusal no time that an unknown key's would not.
    const outcome = c.get('outcome');
    if (outcome === 'invalid-api-key' || outcome === 'too-many-failures')
      afterResponse(c, (waitUntil) => recordCall(c, startedAt, response.status, waitUntil));
    else recordCall(c, startedAt, response.status);
    return response;
  };
}
