// SHA-256 of a key, hex: the only form in which a key is ever stored (KV `key:<hash>`, registry).

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const encoder = new TextEncoder();

/** Uint8Array.prototype.toHex (workerd's V8 has it; TypeScript's es2024 lib does not yet). */
type WithToHex = Uint8Array & { toHex?: () => string };

export function toHex(bytes: ArrayBuffer): string {
  const view: WithToHex = new Uint8Array(bytes);
  if (view.toHex !== undefined) return view.toHex();
  let out = '';
  for (const byte of view) out += HEX[byte];
  return out;
}

/** sha256(key) as lowercase hex, via WebCrypto. */
export async function hashKey(key: string): Promise<string> {
  return toHex(await crypto.subtle.digest('SHA-256', encoder.encode(key)));
}
