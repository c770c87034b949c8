// Exposure: a key seen over plain http or in a URL must be treated as public. If it names a real
// key, the registry marks it exposed and (by EXPOSED_KEY_POLICY) revokes it. Best effort: the
// request is refused whatever happens here, and a fault is logged, never shown.

import type { Context } from 'hono';
import type { AppEnv } from '../env';
import { parseKey } from '../keys/format';
import { hashKey } from '../keys/hash';
import { applyEdgeRecord, lookupDeps, lookupHash } from '../keys/verify';
import { registry } from '../registry/client';
import type { ExposureReason } from '../registry/registry-do';
import { log } from '../log';

/** Reports each well-formed key among `candidates` that exists; resolves when the registry has it. */
export async function reportExposure(c: Context<AppEnv>, candidates: readonly string[], reason: ExposureReason): Promise<void> {
  const config = c.get('config');
  const requestId = c.get('requestId');
  for (const candidate of new Set(candidates)) {
    if (!parseKey(candidate, config.keyPrefix).ok) continue;
    try {
      const hash = await hashKey(candidate);
      const found = await lookupHash(lookupDeps(c.env.KEYS, config), hash, Date.now());
      if (found === null) continue;
      const exposed = await registry(c.env).markExposed(hash, reason, config.exposedKeyPolicy, Date.now());
      if (exposed === null) continue;
      applyEdgeRecord(hash, exposed.record, exposed.at, Date.now());
      const keyId = exposed.keyId;
      log('warn', 'key exposed', { requestId, keyId, reason, policy: config.exposedKeyPolicy });
    } catch (error) {
      log('error', 'exposure report failed', { requestId, reason, error: String(error) });
    }
  }
}
