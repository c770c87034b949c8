// GITHUB_SECRET_SCANNING_KEYS and GITHUB_KEYS_URL: GitHub's secret-scanning signing keys as
// configured (leaks/github-keys.ts imports and caches them), and where GitHub publishes them.

import { z } from 'zod';
import { ConfigError } from '../errors/config-error';
import { optionalUrl, parsedBy, serviceUrlProblem } from './setting';

export interface PublicKeyEntry {
  id: string;
  /** The DER SubjectPublicKeyInfo the PEM carries. */
  spki: Uint8Array;
}

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
function parseGithubKeys(raw: unknown): PublicKeyEntry[] {
  if (raw === undefined || raw === '') return [];
  try {
    return publicKeyEntries(typeof raw === 'string' ? JSON.parse(raw) : raw);
  } catch (error) {
    throw new ConfigError(`GITHUB_SECRET_SCANNING_KEYS: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export const GITHUB_KEY_SETTINGS = {
  GITHUB_SECRET_SCANNING_KEYS: z.unknown().optional().transform(parsedBy(parseGithubKeys)),
  /** https (loopback only in local development: githubKeysUrl); unset ⇒ null: never fetched. */
  GITHUB_KEYS_URL: optionalUrl('GITHUB_KEYS_URL'),
};

/** GITHUB_KEYS_URL as fetched, null when unset; a URL serviceUrlProblem refuses is an issue naming it. */
export function githubKeysUrl(s: { GITHUB_KEYS_URL: URL | undefined; LOCAL_DEV: boolean }, ctx: z.RefinementCtx): string | null {
  if (s.GITHUB_KEYS_URL === undefined) return null;
  const problem = serviceUrlProblem('GITHUB_KEYS_URL', s.GITHUB_KEYS_URL, s.LOCAL_DEV);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['GITHUB_KEYS_URL'], message: problem });
  return s.GITHUB_KEYS_URL.href;
}
