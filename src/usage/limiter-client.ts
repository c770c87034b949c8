// The only code that calls the KeyLimiter Durable Objects: one object per key id.

import type { KeyLimiter } from './limiter-do';

export function limiter(env: Env, keyId: string): DurableObjectStub<KeyLimiter> {
  return env.LIMITER.get(env.LIMITER.idFromName(keyId)) as DurableObjectStub<KeyLimiter>;
}
