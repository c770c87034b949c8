// The only module that touches KV. Layout (docs/storage-schema.md): `key:<sha256 hex>` → KeyRecord JSON;
// `verify-token:<sha256 hex>` → VerifyTokenRecord JSON; `github-keys` → the GitHub secret-scanning
// signing keys last fetched (src/leaks/github-keys.ts).

import { storageCounters } from '../bench-counters';
import { toKeyRecord, type KeyRecord } from '../core/key-record';

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

const PUBLISHED_KEYS = 'github-keys';

/** GitHub's published secret-scanning signing keys as last fetched from `url` (public data, no secret). */
export interface PublishedKeys {
  url: string;
  fetchedAt: number;
  keys: unknown;
}

export async function readPublishedKeys(kv: KVNamespace): Promise<PublishedKeys | null> {
  return kv.get<PublishedKeys>(PUBLISHED_KEYS, 'json');
}

export async function writePublishedKeys(kv: KVNamespace, doc: PublishedKeys): Promise<void> {
  await kv.put(PUBLISHED_KEYS, JSON.stringify(doc));
}

const VERIFY_TOKEN_PREFIX = 'verify-token:';

/** A verify token as the verifiers read it (the registry's row is the truth; this is its edge copy). */
export interface VerifyTokenRecord {
  v: 1;
  id: string;
  projectId: string;
  status: 'active' | 'revoked';
}

/** The record for a token's `hash`, or null. Throws on a KV fault; a value of another shape reads as null. */
export async function readVerifyToken(kv: KVNamespace, hash: string): Promise<VerifyTokenRecord | null> {
  storageCounters.kvReads++;
  const raw = await kv.get<Partial<VerifyTokenRecord>>(VERIFY_TOKEN_PREFIX + hash, 'json');
  if (raw === null || raw.v !== 1 || typeof raw.id !== 'string' || typeof raw.projectId !== 'string') return null;
  return { v: 1, id: raw.id, projectId: raw.projectId, status: raw.status === 'active' ? 'active' : 'revoked' };
}

export async function writeVerifyToken(kv: KVNamespace, hash: string, record: VerifyTokenRecord): Promise<void> {
  await kv.put(VERIFY_TOKEN_PREFIX + hash, JSON.stringify(record));
}
