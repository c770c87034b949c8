// Step 12: a fresh request to the origin — ORIGIN_URL, or the upstream the route rule names
// (config/upstreams.ts: a URL or a service binding, each with its timeout and signing). Bodies
// stream both ways (never buffered); redirects are returned, not followed; no shared cache between
// keys. Unreachable, or a status keygate cannot relay (outside 200–599, a 101 nobody asked for) ⇒
// 502; no response headers within the upstream's timeout ⇒ 504 and the fetch is aborted; a body
// that stalls after the headers is cut by ORIGIN_BODY_IDLE_TIMEOUT_MS (idle-body.ts). Origin errors
// pass untouched. A WebSocket upgrade takes the same way to the origin, then websocket.ts relays.

import { log } from '../../log';
import { refuse, type StepContext } from '../step';
import { rateLimitHeaders } from './ratelimit-fields';
import { hostOf, rawPath } from '../../core/url';
import { originRequestHeaders, stripHopByHop } from './headers';
import { CallDeadline } from './call-deadline';
import { BODY_FAILED, BODY_TIMED_OUT, relayBody } from './idle-body';
import { signOriginRequest } from '../../signing/sign';
import { asksForWebSocket } from '../../core/credential';
import { ConfigError } from '../../errors/config-error';
import { isFetcher, type Upstream } from '../../config/upstreams';
import { relaySocket, socketRequest } from './websocket';

const NULL_BODY_STATUS = new Set([204, 205, 304]);

/**
 * Whether keygate can pass the origin's status on: a final status, 200–599 (a Response cannot carry
 * another). Never 101 here: an ordinary call forwards no Upgrade (a hop-by-hop field), so a 101
 * answers a question the call did not ask; a WebSocket's 101 is websocket.ts's, with its socket.
 */
function relayable(status: number): boolean {
  return status >= 200 && status <= 599;
}

/** The origin URL for this request: the upstream's base + the request's path and query, unchanged. */
export function originUrl(base: string, requestUrl: string): string {
  const path = rawPath(requestUrl);
  const q = requestUrl.indexOf('?');
  const hash = requestUrl.indexOf('#');
  const query = q === -1 ? '' : requestUrl.slice(q, hash === -1 ? undefined : hash);
  return base + path + query;
}

/** The upstream of this call: the one its route rule names, else ORIGIN_URL's. */
function upstreamOf(c: StepContext): Upstream {
  const { upstreams } = c.get('config');
  const rule = c.get('routeRule');
  return (rule === undefined ? undefined : upstreams.byRule[rule.index]) ?? upstreams.origin;
}

/** What fetches from `upstream`: the global fetch, or its service binding (checked with the configuration, and here against this env). */
function fetcherOf(c: StepContext, upstream: Upstream): Fetcher['fetch'] {
  if (upstream.service === null) return fetch;
  const binding = (c.env as unknown as Record<string, unknown>)[upstream.service];
  if (!isFetcher(binding))
    throw new ConfigError(`UPSTREAMS.${upstream.name}.service names the binding "${upstream.service}", which this Worker does not have`);
  return (input, init) => binding.fetch(input, init);
}

export async function forward(c: StepContext): Promise<Response> {
  const principal = c.get('principal');
  const requestId = c.get('requestId');
  const request = c.req.raw;
  const upstream = upstreamOf(c);
  const host = hostOf(request.url);
  const headers = originRequestHeaders(request.headers, {
    keyId: principal.keyId,
    projectId: principal.projectId,
    scopes: principal.scopesHeader,
    environment: principal.environment,
    requestId,
    clientIp: c.get('clientIp'),
    host,
    customer: principal.customer,
  });
  // The one check an ordinary call pays for WebSockets.
  const socket = asksForWebSocket(request.headers) && request.method === 'GET' ? socketRequest(c, headers) : null;
  if (socket instanceof Response) return socket;
  // A service binding is called at the client's own https URL: the Worker behind it sees the path asked for.
  let target = originUrl(upstream.base ?? `https://${host}`, request.url);
  // A bad ORIGIN_SIGNING_KEY throws ConfigError here: 500 misconfigured, the origin is not called.
  if (upstream.signing !== null) target = await signOriginRequest(upstream.signing, request.method, target, headers, Date.now());
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  const controller = new AbortController();
  // The call's one timer: the headers' deadline here, then the body's (relayBody) on the same timer.
  const deadline = new CallDeadline(upstream.timeoutMs, () => controller.abort());
  let response: Response;
  try {
    response = await fetcherOf(c, upstream)(target, {
      method: request.method,
      headers,
      body: hasBody ? request.body : null,
      redirect: 'manual',
      cache: 'no-store',
      signal: controller.signal,
    });
  } catch (error) {
    deadline.clear();
    if (error instanceof ConfigError) throw error;
    const timedOut = controller.signal.aborted;
    log('warn', timedOut ? 'origin timeout' : 'origin unreachable', { requestId, upstream: upstream.name, error: String(error) });
    return refuse(c, timedOut ? 'gateway-timeout' : 'bad-gateway');
  }
  if (socket !== null && response.webSocket !== null) {
    deadline.clear();
    return relaySocket(c, response, response.webSocket, socket);
  }
  return relay(c, response, deadline);
}

/** The origin's answer as keygate relays it: a status it can pass on, the body under its deadline, the RateLimit fields. */
async function relay(c: StepContext, response: Response, deadline: CallDeadline): Promise<Response> {
  const requestId = c.get('requestId');
  if (!relayable(response.status)) {
    deadline.clear();
    log('warn', 'origin status not relayable', { requestId, status: response.status });
    response.body?.cancel().catch(() => undefined);
    return refuse(c, 'bad-gateway', { detail: 'The origin answered with a status keygate cannot relay' });
  }
  const body = await bodyOf(c, response, deadline);
  if (body === BODY_TIMED_OUT) return refuse(c, 'gateway-timeout', { detail: 'The origin sent its headers, then no body in time' });
  if (body === BODY_FAILED) return refuse(c, 'bad-gateway', { detail: 'The origin broke off its answer' });
  c.set('outcome', 'allowed');
  const out = new Response(body, response);
  stripHopByHop(out.headers);
  const limits = c.get('rateLimit');
  if (limits !== undefined) for (const [name, value] of Object.entries(rateLimitHeaders(limits))) out.headers.set(name, value);
  return out;
}

/**
 * The body to relay: none for HEAD and null-body statuses, else under ORIGIN_BODY_IDLE_TIMEOUT_MS
 * (0: as it came). The call's deadline is cleared, or handed to the body that ends it.
 */
function bodyOf(
  c: StepContext,
  response: Response,
  deadline: CallDeadline,
): ReturnType<typeof relayBody> | ReadableStream<Uint8Array> | null {
  const idleMs = c.get('config').originBodyIdleTimeoutMs;
  if (c.req.method === 'HEAD' || NULL_BODY_STATUS.has(response.status) || response.body === null || idleMs === 0) {
    deadline.clear();
    return c.req.method === 'HEAD' || NULL_BODY_STATUS.has(response.status) ? null : response.body;
  }
  const requestId = c.get('requestId');
  return relayBody(response, response.body, deadline, idleMs, () => log('warn', 'origin body idle', { requestId }));
}
