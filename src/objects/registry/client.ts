// The only code that calls the registry Durable Object: one named object holds the whole registry,
// created near REGISTRY_LOCATION_HINT when set (near the admin: src/core/placement.ts).

import { storageCounters } from '../../bench-counters';
import { isLocationHint } from '../../core/placement';
import type { Registry } from './object';

/** The registry object's id, as text: names this deployment (staging and production differ). */
export function registryId(env: Env): string {
  return env.REGISTRY.idFromName('registry').toString();
}

export function registry(env: Env & { REGISTRY_LOCATION_HINT?: string }): DurableObjectStub<Registry> {
  storageCounters.registryCalls++;
  const id = env.REGISTRY.idFromName('registry');
  const hint = env.REGISTRY_LOCATION_HINT;
  return isLocationHint(hint) ? env.REGISTRY.get(id, { locationHint: hint }) : env.REGISTRY.get(id);
}
