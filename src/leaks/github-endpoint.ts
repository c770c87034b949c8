// POST /_keygate/secret-scanning/github — GitHub's secret-scanning partner endpoint. GitHub, not the
// owner, calls it, so it is authenticated by GitHub's signature alone (never the admin token). Each
// reported token that is a real keygate key is acted on by LEAKED_KEY_POLICY through the same path as
// keys seen over http or in a URL; the answer is GitHub's feedback array, one entry per report.

import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../app-env';
import { check, parseClientJson, readCappedBytes } from '../admin/validate';
import { applyExposures } from '../edge/exposure';
import { ApiError } from '../errors/problems';
import { parseKey } from '../core/key-format';
import { hashKey } from '../core/key-hash';
import { log } from '../log';
import type { ExposureReport } from '../objects/registry/types';
import { refuse } from '../edge/step';
import { verifyGithubSignature, type SignatureOutcome } from './signature';

export const MAX_REPORTS = 1_000;
export const MAX_REPORT_BODY = 2 * 1024 * 1024;

const LeakReports = z
  .array(
    z.object({
      token: z.string().min(1).max(1024),
      type: z.string().max(256).optional(),
      url: z.string().max(4096).optional(),
      source: z.string().max(256).optional(),
    }),
  )
  .max(MAX_REPORTS);
type LeakReport = z.infer<typeof LeakReports>[number];

export interface Feedback {
  token_hash: string;
  token_type: string | null;
  label: 'true_positive' | 'false_positive';
}

const REFUSALS: Record<Exclude<SignatureOutcome, { ok: true }>['reason'], string> = {
  'missing-signature': 'Github-Public-Key-Identifier and Github-Public-Key-Signature are required',
  'unknown-key': 'Github-Public-Key-Identifier names no known signing key',
  'bad-signature': 'The signature does not verify over the request body',
  'keys-unavailable': "GitHub's published signing keys could not be fetched; try again later",
};

function parseReports(body: Uint8Array): LeakReport[] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(body);
  } catch {
    throw new ApiError('validation-failed', { errors: [{ path: '(body)', message: 'not valid JSON' }] });
  }
  return check(LeakReports, parseClientJson(text));
}

/** Acts on every real key among the reports in one registry call; the feedback in report order. */
async function judge(c: Context<AppEnv>, reports: LeakReport[]): Promise<Feedback[]> {
  const config = c.get('config');
  const hashes = await Promise.all(reports.map((r) => hashKey(r.token)));
  const exposures: ExposureReport[] = [];
  reports.forEach((r, i) => {
    // Shape and checksum first: a token keygate could never have issued needs no lookup.
    if (!parseKey(r.token, config.keyPrefix).ok) return;
    const found = { type: r.type ?? null, url: r.url ?? null, source: r.source ?? null };
    exposures.push({ hash: hashes[i] as string, reason: 'leak', found });
  });
  const keys = await applyExposures(c.env, exposures, config.leakedKeyPolicy, c.get('requestId'));
  const real = new Set(keys.map((k) => k.hash));
  return reports.map((r, i) => ({
    token_hash: hashes[i] as string,
    token_type: r.type ?? null,
    label: real.has(hashes[i] as string) ? 'true_positive' : 'false_positive',
  }));
}

export const secretScanning = new Hono<AppEnv>();

secretScanning.post('/github', async (c) => {
  if (Number(c.req.header('content-length') ?? '0') > MAX_REPORT_BODY) {
    return refuse(c, 'payload-too-large', { detail: `At most ${MAX_REPORT_BODY} bytes` });
  }
  const body = await readCappedBytes(c.req.raw.body, MAX_REPORT_BODY);
  const signature = await verifyGithubSignature(c.req.raw.headers, body, c.get('config'), c.env.KEYS, Date.now());
  if (!signature.ok) {
    log('warn', 'secret-scanning report refused', { requestId: c.get('requestId'), reason: signature.reason });
    if (signature.reason === 'keys-unavailable') {
      return refuse(c, 'auth-unavailable', { detail: REFUSALS[signature.reason], headers: { 'Retry-After': '60' } });
    }
    return refuse(c, 'invalid-signature', { detail: REFUSALS[signature.reason] });
  }
  const reports = parseReports(body);
  let feedback: Feedback[];
  try {
    feedback = await judge(c, reports);
  } catch (error) {
    // Nothing was decided: GitHub retries on a 5xx.
    log('error', 'secret-scanning report not applied', { requestId: c.get('requestId'), error: String(error) });
    return refuse(c, 'auth-unavailable', {
      detail: 'The registry could not be reached; try again later',
      headers: { 'Retry-After': '10' },
    });
  }
  const found = feedback.filter((f) => f.label === 'true_positive').length;
  log('info', 'secret-scanning report', { requestId: c.get('requestId'), reports: reports.length, truePositives: found });
  c.header('Cache-Control', 'no-store');
  c.header('X-Content-Type-Options', 'nosniff');
  return c.json(feedback);
});
