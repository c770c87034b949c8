// GitHub's secret-scanning signing keys (ECDSA P-256, SPKI PEM), by key identifier. From the
// configuration (GITHUB_SECRET_SCANNING_KEYS, parsed once with the Config) and, when GITHUB_KEYS_URL is
// set, from the document GitHub publishes there — cached in the isolate and in KV for an hour, fetched
// again at most once a minute for an identifier nobody knows (so forged identifiers cannot make
// keygate hammer GitHub).

import { publicKeyEntries, type PublicKeyEntry } from '../config/github-keys';
import { ConfigError } from '../errors/config-error';
import type { Config } from '../config';
import { readPublishedKeys, writePublishedKeys, type PublishedKeys } from '../kv/keys';
import { log } from '../log';
import { memory, type PublishedKeySet } from '../edge/memory';

export type KeyLookup = { ok: true; key: CryptoKey } | { ok: false; reason: 'unknown-key' | 'unavailable' };

export const PUBLISHED_TTL_MS = 60 * 60_000;
export const REFETCH_MIN_MS = 60_000;
const FETCH_TIMEOUT_MS = 5_000;

async function importAll(entries: readonly PublicKeyEntry[]): Promise<Map<string, CryptoKey>> {
  const keys = new Map<string, CryptoKey>();
  for (const { id, spki } of entries) {
    keys.set(id, await crypto.subtle.importKey('spki', spki, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']));
  }
  return keys;
}

const configured = new WeakMap<Config, Promise<Map<string, CryptoKey>>>();

/** The configured keys, imported once per Config; a key that is not P-256 SPKI is a ConfigError. */
function configuredKeys(config: Config): Promise<Map<string, CryptoKey>> {
  let keys = configured.get(config);
  if (keys === undefined) {
    keys = importAll(config.githubKeys).catch(() => {
      throw new ConfigError('GITHUB_SECRET_SCANNING_KEYS: a key is not an ECDSA P-256 public key');
    });
    configured.set(config, keys);
  }
  return keys;
}

/** The published document this isolate holds, and when a fetch last failed (no new attempt for REFETCH_MIN_MS). */
const held = memory.githubKeys;

async function toKeySet(doc: PublishedKeys): Promise<PublishedKeySet> {
  return { url: doc.url, fetchedAt: doc.fetchedAt, keys: await importAll(publicKeyEntries(doc.keys)) };
}

async function fromKv(kv: KVNamespace, url: string): Promise<PublishedKeySet | undefined> {
  try {
    const doc = await readPublishedKeys(kv);
    return doc !== null && doc.url === url ? await toKeySet(doc) : undefined;
  } catch (error) {
    log('warn', 'published signing keys unreadable in KV', { error: String(error) });
    return undefined;
  }
}

async function fetchPublished(kv: KVNamespace, url: string, now: number): Promise<PublishedKeySet> {
  const res = await fetch(url, {
    headers: { accept: 'application/json', 'user-agent': 'keygate' },
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const body = (await res.json()) as unknown;
  const keys = (body as { public_keys?: unknown } | null)?.public_keys;
  const set = await toKeySet({ url, fetchedAt: now, keys }); // validates before anything is cached
  await writePublishedKeys(kv, { url, fetchedAt: now, keys }).catch((error: unknown) =>
    log('warn', 'published signing keys not cached in KV', { error: String(error) }),
  );
  return set;
}

/** The signing key GitHub names `id`: configured first, then the published document. */
export async function githubKeyFor(id: string, config: Config, kv: KVNamespace, now: number): Promise<KeyLookup> {
  const own = (await configuredKeys(config)).get(id);
  if (own !== undefined) return { ok: true, key: own };
  const url = config.githubKeysUrl;
  if (url === null) return { ok: false, reason: 'unknown-key' };
  let set = held.published?.url === url ? held.published : undefined;
  if (set === undefined || now - set.fetchedAt > PUBLISHED_TTL_MS) set = (await fromKv(kv, url)) ?? set;
  const known = set?.keys.get(id);
  if (set !== undefined && now - set.fetchedAt <= PUBLISHED_TTL_MS && (known !== undefined || now - set.fetchedAt < REFETCH_MIN_MS)) {
    held.published = set;
    return known !== undefined ? { ok: true, key: known } : { ok: false, reason: 'unknown-key' };
  }
  if (now - held.failedAt < REFETCH_MIN_MS) return known !== undefined ? { ok: true, key: known } : { ok: false, reason: 'unavailable' };
  try {
    held.published = set = await fetchPublished(kv, url, now);
  } catch (error) {
    held.failedAt = now;
    log('error', 'published signing keys could not be fetched', { error: String(error) });
    // A key GitHub published before is still GitHub's: use it rather than refuse its reports.
    return known !== undefined ? { ok: true, key: known } : { ok: false, reason: 'unavailable' };
  }
  const key = set.keys.get(id);
  return key !== undefined ? { ok: true, key } : { ok: false, reason: 'unknown-key' };
}
