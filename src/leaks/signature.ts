// GitHub signs each secret-scanning report: ECDSA P-256 with SHA-256 over the raw body, the DER
// signature base64 in `Github-Public-Key-Signature`, the signing key named by
// `Github-Public-Key-Identifier`. Nothing in a report is acted on before this says ok.

import type { Config } from '../config';
import { derToRawSignature } from './der';
import { githubKeyFor } from './github-keys';

export type SignatureOutcome =
  { ok: true } | { ok: false; reason: 'missing-signature' | 'unknown-key' | 'bad-signature' | 'keys-unavailable' };

const MAX_HEADER = 512;

function decodeBase64(text: string): Uint8Array | null {
  try {
    return Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
  } catch {
    return null;
  }
}

/** Checks the signature of `body` (the exact bytes received) with the key the headers name. */
export async function verifyGithubSignature(
  headers: Headers,
  body: Uint8Array,
  config: Config,
  kv: KVNamespace,
  now: number,
): Promise<SignatureOutcome> {
  const keyId = headers.get('github-public-key-identifier')?.trim() ?? '';
  const signature = headers.get('github-public-key-signature')?.trim() ?? '';
  if (keyId === '' || signature === '') return { ok: false, reason: 'missing-signature' };
  if (keyId.length > MAX_HEADER || signature.length > MAX_HEADER) return { ok: false, reason: 'bad-signature' };
  const key = await githubKeyFor(keyId, config, kv, now);
  if (!key.ok) return { ok: false, reason: key.reason === 'unknown-key' ? 'unknown-key' : 'keys-unavailable' };
  const der = decodeBase64(signature);
  const raw = der === null ? null : derToRawSignature(der);
  if (raw === null) return { ok: false, reason: 'bad-signature' };
  const valid = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key.key, raw, body);
  return valid ? { ok: true } : { ok: false, reason: 'bad-signature' };
}
