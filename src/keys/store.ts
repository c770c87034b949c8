// The only module that touches KV. Layout (docs/storage-schema.md): `key:<sha256 hex>` → KeyRecord JSON.

import { storageCounters } from '../bench-counters';
import { toKeyRecord, type KeyRecord } from './record';

const KEY_PREFIX = 'key:';

export function kvKeyFor(hash: string): string {
  return KEY_PREFIX + hash;
}

/** The record for `hash`, or null when KV has none. Throws on a KV fault or a corrupt record. */
export async function readKeyRecord(kv: KVNamespace, hash: string): Promise<KeyRecord | null> {
  storageCounters.kvReads++;
  const raw = await kv.get(kvKeyFor(hash), 'json');
  return raw === null ? null : toKeyRecord(raw);
}

export async function writeKeyRecord(kv: KVNamespace, hash: string, record: KeyRecord): Promise<void> {
  await kv.put(kvKeyFor(hash), JSON.stringify(record));
}
