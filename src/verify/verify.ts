// verify(input) for the RPC entrypoint and the HTTP verifier: the input checked, the call described,
// the decision run, its result. Never throws for a refusal or a bad input.
// A path the URL parser would rewrite (call.ts exactRequest) is refused as non-canonical, as the
// data plane refuses it.

import { ApiError } from '../errors/problems';
import { check } from '../admin/validate';
import { decideCall, describedRequest, rewrittenDetail } from './call';
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
    const described = describedRequest({ ...call, clientIp: call.clientIp ?? '', origin: ctx.origin, via: `keygate-verify (${ctx.via})` });
    if (described === null) return refusedBefore('non-canonical-path', { detail: rewrittenDetail(call.path) });
    request = described;
  } catch (error) {
    if (error instanceof ApiError) return refusedBefore('validation-failed', error.options);
    if (error instanceof TypeError)
      return refusedBefore('validation-failed', { errors: [{ path: 'method', message: 'not a method a request may have' }] });
    throw error;
  }
  return resultOf(await decideCall(ctx.env, ctx.waitUntil, request));
}
