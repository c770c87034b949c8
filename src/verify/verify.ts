// verify(input) for the RPC entrypoint and the HTTP verifier: the input checked, the call described,
// the decision run, its result. Never throws for a refusal or a bad input.
//
// The described call is a Request, whose URL parser would resolve `/forms/../admin` to `/admin`
// before any step saw it: a path the parser rewrites is refused as non-canonical here, as the data
// plane refuses it, so that what is authorized is exactly the path the caller named.

import { ApiError } from '../errors/problems';
import { check } from '../admin/validate';
import { nonCanonicalReason } from '../core/canonical-path';
import { decideCall, describedRequest } from './call';
import { VerifyInput } from './input';
import { refusedBefore, resultOf, type VerifyResult } from './outcome';

export interface VerifyContext {
  env: Env;
  waitUntil: (promise: Promise<unknown>) => void;
  /** keygate's origin for the described call (`https://…`). */
  origin: string;
  /** Which verifier asks, for the request log: 'rpc', 'http'. */
  via: string;
}

export async function verify(input: unknown, ctx: VerifyContext): Promise<VerifyResult> {
  let request: Request;
  try {
    const call = check(VerifyInput, input);
    request = describedRequest({ ...call, clientIp: call.clientIp ?? '', origin: ctx.origin, via: `keygate-verify (${ctx.via})` });
    if (request.url !== ctx.origin + call.path) {
      const detail = nonCanonicalReason(call.path) ?? 'The path is not in the form it is sent in';
      return refusedBefore('non-canonical-path', { detail });
    }
  } catch (error) {
    if (error instanceof ApiError) return refusedBefore('validation-failed', error.options);
    if (error instanceof TypeError)
      return refusedBefore('validation-failed', { errors: [{ path: 'method', message: 'not a method a request may have' }] });
    throw error;
  }
  return resultOf(await decideCall(ctx.env, ctx.waitUntil, request));
}
