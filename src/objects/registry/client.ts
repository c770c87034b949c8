// The only code that calls the registry Durable Object: one named object holds the whole registry,
// created near REGISTRY_LOCATION_HINT when set (near the admin: src/feed/placement.ts).

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

/** Opaque, stable pagination cursors over the registry's insertion order. */
export function encodeCursor(after: number | null): string | null {
  return after === null ? null : btoa(`s:${after}`).replace(/=+$/, '');
}

/** The seq a cursor stands for; null when the cursor is not one of ours. */
export function decodeCursor(cursor: string | undefined): number | null {
  if (cursor === undefined || cursor === '') return 0;
  try {
    const text = atob(cursor);
    const match = /^s:(\d{1,15})$/.exec(text);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}
