// GET /_keygate/.well-known/jwks.json: the public half of ORIGIN_SIGNING_KEY as a JWK set, for origins
// that verify keygate's signatures. Never the private `d`. 404 when signing is not configured.

import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import { refuse } from '../edge/step';
import { signerFor } from '../signing/key';

export async function jwks(c: Context<AppEnv>): Promise<Response> {
  const signing = c.get('config').originSigning;
  if (signing === null) return refuse(c, 'not-found', { detail: 'Origin signing is not configured (ORIGIN_SIGNING_KEY)' });
  const { publicJwk } = await signerFor(signing);
  return new Response(JSON.stringify({ keys: [publicJwk] }), {
    headers: {
      'content-type': 'application/jwk-set+json',
      // Public data; short so that a rotated key is picked up soon (origins also refetch on an unknown keyid).
      'cache-control': 'public, max-age=300',
      'x-content-type-options': 'nosniff',
    },
  });
}
