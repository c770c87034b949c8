// Signs the origin request (RFC 9421) when ORIGIN_SIGNING_KEY is set: @method, @target-uri, the
// Keygate-* identity headers (the customer's two when the key has a customer) and X-Request-Id, read back from the very headers being sent, with
// created, a 60 s expires, keyid and alg. Label "keygate". The body is not covered (it streams).

import {
  CUSTOMER_COMPONENTS,
  KEYGATE_COMPONENTS,
  KEYGATE_LABEL,
  base64Encode,
  serializeSignatureParams,
  signatureBase,
} from '../verifier/message.mjs';
import { signerFor, type SigningKey } from './key';

export const SIGNATURE_TTL_SECONDS = 60;
const encoder = new TextEncoder();

/**
 * Adds Signature-Input and Signature to `headers` (which already carry the identity headers) and
 * returns the URL to fetch: `target` normalized as the origin will parse it, which is what is signed.
 */
export async function signOriginRequest(
  signing: SigningKey,
  method: string,
  target: string,
  headers: Headers,
  nowMs: number,
): Promise<string> {
  const signer = await signerFor(signing);
  const targetUri = new URL(target).href;
  const created = Math.floor(nowMs / 1000);
  const params = new Map<string, string | number>([
    ['created', created],
    ['expires', created + SIGNATURE_TTL_SECONDS],
    ['keyid', signer.keyId],
    ['alg', 'ed25519'],
  ]);
  const covered = headers.has('keygate-customer-id') ? [...KEYGATE_COMPONENTS, ...CUSTOMER_COMPONENTS] : KEYGATE_COMPONENTS;
  const components: [string, string][] = [];
  for (const id of covered) {
    const value = id === '@method' ? method : id === '@target-uri' ? targetUri : (headers.get(id) ?? '');
    components.push([id, value]);
  }
  const signatureParams = serializeSignatureParams(covered, params);
  const signature = await crypto.subtle.sign('Ed25519', signer.key, encoder.encode(signatureBase(components, signatureParams)));
  headers.set('Signature-Input', `${KEYGATE_LABEL}=${signatureParams}`);
  headers.set('Signature', `${KEYGATE_LABEL}=:${base64Encode(new Uint8Array(signature))}:`);
  return targetUri;
}
