// GitHub's secret-scanning signing keys (ECDSA P-256, SPKI PEM), by key identifier. From the
// configuration (GITHUB_SECRET_SCANNING_KEYS, parsed once with the Config) and, when GITHUB_KEYS_URL is
// set, from the document GitHub publishes there — cached in the isolate and in KV for an hour, fetched
// again at most once a minute for an identifier nobody knows (so forged identifiers cannot make
// keygate hammer GitHub).

import { ConfigError } from '../auth/routes';
import type { Config } from '../env';
import { readPublishedKeys, writePublishedKeys, type PublishedKeys } from '../keys/store';
import { log } from '../log';

export interface PublicKeyEntry {
  id: string;
  /** The DER SubjectPublicKeyInfo the PEM carries. */
  spki: Uint8Array;
}

export type KeyLookup = { ok: true; key: CryptoKey } | { ok: false; reason: 'unknown-key' | 'unavailable' };

export const PUBLISHED_TTL_MS = 60 * 60_000;
export const REFETCH_MIN_MS = 60_000;
const FETCH_TIMEOUT_MS = 5_000;
const PEM = /^-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\s]+)-----END PUBLIC KEY-----\s*$/;

/** `[{key_identifier, key}]` or GitHub's `{public_keys: [...]}`; throws on anything else. */
export function publicKeyEntries(value: unknown): PublicKeyEntry[] {
  const list = Array.isArray(value) ? value : (value as { public_keys?: unknown } | null)?.public_keys;
  if (!Array.isArray(list)) throw new Error('expected [{ key_identifier, key }] or { public_keys: [...] }');
  return list.map((entry: unknown, i) => {
    const { key_identifier: id, key } = (entry ?? {}) as { key_identifier?: unknown; key?: unknown };
    if (typeof id !== 'string' || id === '' || id.length > 256) throw new Error(`entry ${i}: key_identifier must be a string`);
    const match = typeof key === 'string' ? PEM.exec(key.trim()) : null;
    if (match === null) throw new Error(`entry ${i}: key must be a PEM public key`);
    try {
      return { id, spki: Uint8Array.from(atob((match[1] as string).replace(/\s+/g, '')), (ch) => ch.charCodeAt(0)) };
    } catch {
      throw new Error(`entry ${i}: key is not base64`);
    }
  });
}

/** GITHUB_SECRET_SCANNING_KEYS: a JSON value (wrangler.toml) or JSON text (a secret, --var). */
export function parseGithubKeys(raw: unknown): PublicKeyEntry[] {
  if (raw === undefined || raw === '') return [];
  try {
    return publicKeyEntries(typeof raw === 'string' ? JSON.parse(raw) : raw);
  } catch (error) {
    throw new ConfigError(`GITHUB_SECRET_SCANNING_KEYS: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** GITHUB_KEYS_URL: https (http only for loopback, i.e. tests and local runs); unset ⇒ no fetching. */
export function parseKeysUrl(raw: unknown): string | null {
  if (raw === undefined || raw === '') return null;
  let url: URL;
  try {
    url = new URL(String(raw));
  } catch {
    throw new ConfigError('GITHUB_KEYS_URL is not a URL');
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw new ConfigError('GITHUB_KEYS_URL must be https');
  return url.href;
}

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

interface KeySet {
  url: string;
  fetchedAt: number;
  keys: Map<string, CryptoKey>;
}
let published: KeySet | undefined;
/** When a fetch last failed: no new attempt for REFETCH_MIN_MS (GitHub down must not mean a fetch per report). */
let failedAt = Number.NEGATIVE_INFINITY;

/** Forgets the published keys this isolate holds and its last failure (tests: prove the KV copy is used). */
export function forgetPublishedKeys(): void {
  published = undefined;
  failedAt = Number.NEGATIVE_INFINITY;
}

async function toKeySet(doc: PublishedKeys): Promise<KeySet> {
  return { url: doc.url, fetchedAt: doc.fetchedAt, keys: await importAll(publicKeyEntries(doc.keys)) };
}

async function fromKv(kv: KVNamespace, url: string): Promise<KeySet | undefined> {
  try {
    const doc = await readPublishedKeys(kv);
    return doc !== null && doc.url === url ? await toKeySet(doc) : undefined;
  } catch (error) {
    log('warn', 'published signing keys unreadable in KV', { error: String(error) });
    return undefined;
  }
}

async function fetchPublished(kv: KVNamespace, url: string, now: number): Promise<KeySet> {
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
  let set = published?.url === url ? published : undefined;
  if (set === undefined || now - set.fetchedAt > PUBLISHED_TTL_MS) set = (await fromKv(kv, url)) ?? set;
  const known = set?.keys.get(id);
  if (set !== undefined && now - set.fetchedAt <= PUBLISHED_TTL_MS && (known !== undefined || now - set.fetchedAt < REFETCH_MIN_MS)) {
    published = set;
    return known !== undefined ? { ok: true, key: known } : { ok: false, reason: 'unknown-key' };
  }
  if (now - failedAt < REFETCH_MIN_MS) return known !== undefined ? { ok: true, key: known } : { ok: false, reason: 'unavailable' };
  try {
    published = set = await fetchPublished(kv, url, now);
  } catch (error) {
    failedAt = now;
    log('error', 'published signing keys could not be fetched', { error: String(error) });
    // A key GitHub published before is still GitHub's: use it rather than refuse its reports.
    return known !== undefined ? { ok: true, key: known } : { ok: false, reason: 'unavailable' };
  }
  const key = set.keys.get(id);
  return key !== undefined ? { ok: true, key } : { ok: false, reason: 'unknown-key' };
}
