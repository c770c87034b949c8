// A decision as a value for code that is not behind the proxy: valid or not, the same reason names
// as the problem types (`code`), who the key is, its limits, and — on refusal — the answer the data
// plane would have given (status, problem body, headers), which the HTTP verifier, Envoy and the
// Hono middleware pass on as it is. A refused key is as anonymous here as on the wire: an unknown,
// revoked, disabled or expired key is one `invalid-api-key` with no key id.

import type { KeygateRefusal as VerifyRefusal, KeygateResult as VerifyResult } from '../hono/index.mjs';
import { PROBLEM_PAGES, problemResponse, type ProblemOptions, type ProblemType } from '../errors/problems';
import type { Decided } from './call';

/** The result's types are the ones keygate/hono publishes (src/hono/index.d.mts): one definition for both sides of the binding. */
export type { KeygateRefusal as VerifyRefusal, KeygateResult as VerifyResult } from '../hono/index.mjs';

/** Headers every problem carries, left out of `refusal.headers`: the wire's business, not the decision's. */
const WIRE_HEADERS = new Set([
  'content-type',
  'cache-control',
  'x-content-type-options',
  'x-request-id',
  'content-length',
  'strict-transport-security',
]);

async function refusalOf(response: Response): Promise<VerifyRefusal> {
  const headers: Record<string, string> = {};
  for (const [name, value] of response.headers) if (!WIRE_HEADERS.has(name)) headers[name] = value;
  return { status: response.status, problem: (await response.json()) as Record<string, unknown>, headers };
}

/** The result of a decided call. */
export async function resultOf({ response, vars }: Decided): Promise<VerifyResult> {
  const valid = response.status === 200 && vars.outcome === 'allowed';
  const principal = vars.principal;
  const retryAfter = response.headers.get('retry-after');
  const policies = vars.rateLimit;
  const refusal = valid ? null : await refusalOf(response);
  return {
    valid,
    // A fault (thrown, rendered by faultResponse) sets no outcome: its problem type says what it was.
    code: vars.outcome ?? String(refusal?.problem.type ?? 'internal-error').replace(PROBLEM_PAGES + '/', ''),
    keyId: principal?.keyId ?? null,
    projectId: principal?.projectId ?? null,
    ...(principal?.customer ? { customerId: principal.customer.id, externalId: principal.customer.externalId } : {}),
    environment: principal?.environment ?? null,
    scopes: principal === undefined || principal.scopesHeader === '' ? [] : principal.scopesHeader.split(' '),
    ratelimit: policies === undefined ? null : { policies: [...policies], retryAfter: retryAfter === null ? null : Number(retryAfter) },
    requestId: response.headers.get('x-request-id') ?? '',
    refusal,
  };
}

/** A refusal made before the decision: the input could not describe a call, or not the call it names. */
export async function refusedBefore(type: ProblemType, options: ProblemOptions): Promise<VerifyResult> {
  const response = problemResponse(type, crypto.randomUUID(), options);
  return {
    valid: false,
    code: type,
    keyId: null,
    projectId: null,
    environment: null,
    scopes: [],
    ratelimit: null,
    requestId: response.headers.get('x-request-id') ?? '',
    refusal: await refusalOf(response),
  };
}

const INVALID_TOKEN = { 'WWW-Authenticate': 'Bearer realm="keygate", error="invalid_token"' };

/**
 * `result` as a verifier of project `projectId` may see it: a key of another project is an unknown
 * key to it (invalid-api-key, nothing about the key), though the call was decided and counted.
 */
export function scopedTo(projectId: string, result: VerifyResult): VerifyResult | Promise<VerifyResult> {
  if (result.projectId === null || result.projectId === projectId) return result;
  return refusedBefore('invalid-api-key', { headers: INVALID_TOKEN });
}
