// The only code that calls the registry Durable Object: one named object holds the whole registry.

import { storageCounters } from '../bench-counters';
import type { Registry } from './registry-do';

export function registry(env: Env): DurableObjectStub<Registry> {
  storageCounters.registryCalls++;
  return env.REGISTRY.get(env.REGISTRY.idFromName('registry')) as DurableObjectStub<Registry>;
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
