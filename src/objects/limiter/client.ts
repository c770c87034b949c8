// The only code that calls the KeyLimiter Durable Objects: one object per key id.

import { storageCounters } from '../../bench-counters';
import type { KeyLimiter } from './object';

export function limiter(env: Env, keyId: string): DurableObjectStub<KeyLimiter> {
  storageCounters.limiterCalls++;
  return env.LIMITER.get(env.LIMITER.idFromName(keyId));
}
