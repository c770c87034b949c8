// Standard Webhooks signatures: `v1,<base64 HMAC-SHA256 of "${id}.${timestamp}.${body}">` keyed
// with the decoded `whsec_` secret, the timestamp in seconds. WebCrypto, no dependency.

import { base64Encode } from '../verifier/message.mjs';

/** The `webhook-id`, `webhook-timestamp` and `webhook-signature` headers for one attempt. */
export async function signatureHeaders(
  secret: Uint8Array,
  id: string,
  timestampSeconds: number,
  body: string,
): Promise<Record<string, string>> {
  const key = await crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${id}.${timestampSeconds}.${body}`));
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': `v1,${base64Encode(new Uint8Array(mac))}`,
  };
}
