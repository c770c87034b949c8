// Exposure: a key seen over plain http, in a URL, or reported leaked by a secret scanner must be
// treated as public. One path for all three: the registry marks each real key exposed and applies
// the policy (EXPOSED_KEY_POLICY for http/URL sightings, LEAKED_KEY_POLICY for leak reports), and
// this isolate applies the new records at once so its next request already refuses them.

import type { StepContext } from './step';
import { parseKey } from '../core/key-format';
import { hashKey } from '../core/key-hash';
import { applyEdgeRecord, lookupDeps, lookupHash } from './verify-key';
import { registry } from '../objects/registry/client';
import type { ExposurePolicy } from '../core/key-record';
import type { Exposed, ExposureReason, ExposureReport } from '../objects/registry/types';
import { log } from '../log';
import { withDeadline } from '../core/deadline';

/** The registry is global: a refusal waits for its verdict on an exposed key at most this long. */
const EXPOSE_TIMEOUT_MS = 5_000;

/**
 * Hands the reports to the registry in one call and applies what changed to this isolate's view of
 * the keys. Returns the keys found. Throws when the registry cannot be reached or does not answer
 * within EXPOSE_TIMEOUT_MS (the registry may still apply the reports; the caller logs the fault).
 */
export async function applyExposures(
  env: Env,
  reports: readonly ExposureReport[],
  policy: ExposurePolicy,
  requestId: string,
): Promise<Exposed[]> {
  if (reports.length === 0) return [];
  const exposed = await withDeadline(registry(env).expose(reports, policy, Date.now()), EXPOSE_TIMEOUT_MS, 'registry');
  const reasons = new Map(reports.map((r) => [r.hash, r.reason]));
  for (const key of exposed) {
    if (key.changed) applyEdgeRecord(key.hash, key.record, key.at, Date.now());
    log('warn', reasons.get(key.hash) === 'leak' ? 'key leaked' : 'key exposed', {
      requestId,
      keyId: key.keyId,
      reason: reasons.get(key.hash),
      policy,
    });
  }
  return exposed;
}

/**
 * Reports each well-formed key among `candidates` (seen over http or in a URL) that exists. Best
 * effort: the request is refused whatever happens here, and a fault is logged, never shown.
 */
export async function reportExposure(c: StepContext, candidates: readonly string[], reason: ExposureReason): Promise<void> {
  const config = c.get('config');
  const requestId = c.get('requestId');
  for (const candidate of new Set(candidates)) {
    if (!parseKey(candidate, config.keyPrefix).ok) continue;
    try {
      const hash = await hashKey(candidate);
      // A KV/cache lookup first: unknown keys (the common case for junk) cost no registry call.
      if ((await lookupHash(lookupDeps(c.env.KEYS, config), hash, Date.now())) === null) continue;
      await applyExposures(c.env, [{ hash, reason }], config.exposedKeyPolicy, requestId);
    } catch (error) {
      log('error', 'exposure report failed', { requestId, reason, error: String(error) });
    }
  }
}
