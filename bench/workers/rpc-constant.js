// Bench B-rpc: the floor of an RPC verifier — an entrypoint named like keygate's whose verify()
// returns one constant outcome: the cost of the binding, the call and its structured-clone copy.
import { WorkerEntrypoint } from 'cloudflare:workers';

const VALID = {
  valid: true,
  code: 'allowed',
  keyId: 'key_Utnq2HabpJcz4hLZZGel',
  projectId: 'prj_4kPBgDsZ1kFHqE0b7Hh9',
  environment: 'live',
  scopes: ['bench:read'],
  ratelimit: null,
  requestId: '00000000-0000-4000-8000-000000000000',
  refusal: null,
};

export class KeygateVerifier extends WorkerEntrypoint {
  verify() {
    return VALID;
  }
}

export default {
  fetch() {
    return new Response('rpc constant');
  },
};
