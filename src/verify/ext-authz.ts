// Envoy's ext_authz filter in HTTP service mode (docs/envoy.yaml). Envoy calls
// `<path_prefix><original path>` — path_prefix `/_keygate/v1/ext-authz` — with the original method,
// Host, Authorization and the headers `allowed_headers` names (X-API-Key), plus what its
// `headers_to_add` sets: `Keygate-Verify-Token`, and `Keygate-Client-Ip` from
// %DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT% (Envoy's own view of the client; a client cannot send it,
// since only allowed headers are copied). Without it, the client's address is the last
// X-Forwarded-For entry, the one Envoy appends with `use_remote_address: true`. The call is
// decided by the data plane's steps.
//
// On allow: 200 with the identity headers (and keygate's signature when ORIGIN_SIGNING_KEY is set,
// over ORIGIN_URL + the path: set ORIGIN_URL to the upstream's own URL) for `allowed_upstream_headers`,
// and `x-envoy-auth-headers-to-remove` naming the credential and every identity field keygate did
// not set, so the upstream sees neither the key nor a client's forged Keygate-*. On deny: the
// refusal's status, headers and problem+json body, which Envoy relays to the client.

import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import { parseIp } from '../core/ip';
import { IDENTITY_FIELDS, setIdentity } from '../edge/proxy/headers';
import { rateLimitHeaders } from '../edge/proxy/ratelimit-fields';
import { signOriginRequest } from '../signing/sign';
import { decideCall, exactRequest, rewrittenDetail } from './call';
import { ApiError } from '../errors/problems';
import { resultOf, scopedTo, type VerifyResult } from './outcome';

export const EXT_AUTHZ_PREFIX = '/_keygate/v1/ext-authz';

/** Check-request fields that are Envoy's or this hop's, not the described call's. */
const NOT_THE_CALL = new Set([
  'keygate-verify-token',
  'keygate-client-ip',
  'host',
  'content-length',
  'cf-connecting-ip',
  'x-forwarded-for',
  'x-real-ip',
]);

/** The client's address as Envoy saw it: Keygate-Client-Ip, else X-Forwarded-For's last entry ('' if neither is an address). */
function clientAddress(headers: Headers): string {
  const given = headers.get('keygate-client-ip')?.trim() ?? headers.get('x-forwarded-for')?.split(',').at(-1)?.trim() ?? '';
  return parseIp(given) === null ? '' : given;
}

/** The call Envoy's check request describes: the path after the prefix, on keygate's own origin (null: exactRequest). */
export function describedByEnvoy(check: Request): Request | null {
  const url = check.url;
  const start = url.indexOf(EXT_AUTHZ_PREFIX) + EXT_AUTHZ_PREFIX.length;
  const rest = url.slice(start);
  const headers = new Headers();
  for (const [name, value] of check.headers) if (!NOT_THE_CALL.has(name) && !name.startsWith('x-envoy-')) headers.append(name, value);
  const ip = clientAddress(check.headers);
  if (ip !== '') headers.set('cf-connecting-ip', ip);
  return exactRequest(new URL(url).origin + (rest.startsWith('/') ? rest : `/${rest}`), { method: check.method, headers });
}

async function allowed(c: Context<AppEnv>, described: Request, result: VerifyResult): Promise<Response> {
  const config = c.get('config');
  const headers = new Headers({ 'Cache-Control': 'no-store', 'X-Request-Id': result.requestId });
  setIdentity(headers, {
    keyId: result.keyId as string,
    projectId: result.projectId as string,
    scopes: result.scopes.join(' '),
    environment: result.environment as string,
    customer: result.customerId === undefined ? null : { id: result.customerId, externalId: result.externalId as string },
  });
  if (config.originSigning !== null) {
    // As forward.ts builds it for ORIGIN_URL, the upstream behind Envoy.
    const target = `${config.upstreams.origin.base ?? ''}${described.url.slice(new URL(described.url).origin.length)}`;
    await signOriginRequest(config.originSigning, described.method, target, headers, Date.now());
  }
  const remove = ['authorization', 'x-api-key', ...IDENTITY_FIELDS.filter((name) => !headers.has(name))];
  if (config.originSigning === null) remove.push('signature', 'signature-input');
  headers.set('x-envoy-auth-headers-to-remove', remove.join(', '));
  if (result.ratelimit !== null)
    for (const [name, value] of Object.entries(rateLimitHeaders(result.ratelimit.policies))) headers.set(name, value);
  return new Response(null, { status: 200, headers });
}

export async function extAuthz(c: Context<AppEnv>): Promise<Response> {
  const described = describedByEnvoy(c.req.raw);
  if (described === null)
    throw new ApiError('non-canonical-path', {
      detail: rewrittenDetail(c.req.url.slice(c.req.url.indexOf(EXT_AUTHZ_PREFIX) + EXT_AUTHZ_PREFIX.length)),
    });
  const decided = await decideCall(c.env, (p) => c.executionCtx.waitUntil(p), described);
  const result = await scopedTo(c.get('verifyToken').projectId, await resultOf(decided));
  c.set('requestId', result.requestId); // one id per check: the answer's X-Request-Id is the decision's
  if (result.valid) return allowed(c, described, result);
  const refusal = result.refusal as NonNullable<VerifyResult['refusal']>;
  const headers = new Headers(refusal.headers);
  headers.set('Content-Type', 'application/problem+json');
  headers.set('Cache-Control', 'no-store');
  headers.set('X-Content-Type-Options', 'nosniff');
  return new Response(JSON.stringify(refusal.problem), { status: refusal.status, headers });
}
