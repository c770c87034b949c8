// The Workers RPC verifier: another Worker binds this entrypoint with a service binding
// (`entrypoint = "KeygateVerifier"`) and calls `verify({ key, method, path, clientIp })` — the data
// plane's decision, caches and usage, without a network hop or a proxy (README "Verifying keys
// outside the proxy"). Named so that it is not taken for src/verifier/, which checks keygate's
// signature at the origin.

import { WorkerEntrypoint } from 'cloudflare:workers';
import { verify } from './verify';
import type { VerifyInput } from './input';
import type { VerifyResult } from './outcome';

/** The host of the calls an RPC verifier describes (RPC calls have none of their own). */
export const RPC_ORIGIN = 'https://keygate-rpc.invalid';

export class KeygateVerifier extends WorkerEntrypoint<Env> {
  /** The decision on the call `input` describes; never throws for a refusal (`valid: false`, `code` says why). */
  async verify(input: VerifyInput): Promise<VerifyResult> {
    return verify(input, { env: this.env, waitUntil: (p) => this.ctx.waitUntil(p), origin: RPC_ORIGIN, via: 'rpc' });
  }
}
