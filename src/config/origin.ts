// ORIGIN_*: where allowed calls go, how long keygate waits on the origin, and the key that signs
// what it sends there. Whether an ORIGIN_URL may be used is origin-rule.mjs's call (shared with the
// deploy check): a loopback origin only in local development (LOCAL_DEV), http only for it or with
// ALLOW_HTTP_ORIGIN.

import { z } from 'zod';
import { parseSigningKey } from '../signing/key';
import { originUrlProblem } from './origin-rule.mjs';
import { flag, integer, parsedBy, requiredUrl } from './setting';

export const ORIGIN_SETTINGS = {
  ORIGIN_URL: requiredUrl('ORIGIN_URL', 'ORIGIN_URL is not set'),
  /** "true" allows a non-loopback http:// origin. */
  ALLOW_HTTP_ORIGIN: flag(),
  /** "true" only where keygate runs on this machine (npm start, tests, benchmarks): allows a loopback origin. */
  LOCAL_DEV: flag(),
  ORIGIN_TIMEOUT_MS: integer('ORIGIN_TIMEOUT_MS', 30_000, { min: 1, max: 600_000 }),
  ORIGIN_BODY_IDLE_TIMEOUT_MS: integer('ORIGIN_BODY_IDLE_TIMEOUT_MS', 100_000, { max: 3_600_000 }),
  /** An Ed25519 private JWK, as JSON text or a JSON value; unset ⇒ null: calls go unsigned. */
  ORIGIN_SIGNING_KEY: z.unknown().optional().transform(parsedBy(parseSigningKey)),
};

type OriginSettings = z.output<z.ZodObject<typeof ORIGIN_SETTINGS>>;

/** ORIGIN_URL without a trailing slash, for the request path and query to be appended to. */
export function originBase({ ORIGIN_URL: url, ALLOW_HTTP_ORIGIN, LOCAL_DEV }: OriginSettings, ctx: z.RefinementCtx): string {
  const problem = originUrlProblem(url, { localDev: LOCAL_DEV, allowHttp: ALLOW_HTTP_ORIGIN });
  if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['ORIGIN_URL'], message: problem });
  return url.href.replace(/\/$/, '');
}
