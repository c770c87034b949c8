// Key format: <prefix>_<env>_<32 base62 body><6 base62 CRC32 checksum> (GitHub's token scheme).
// Parsing and the checksum need no lookup, so malformed and mistyped keys cost no KV read.

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const BODY_LENGTH = 32;
export const CHECKSUM_LENGTH = 6;
export const PREFIX_PATTERN = /^[a-z][a-z0-9]{1,15}$/;
export const ENVIRONMENTS = ['live', 'test'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC32 (IEEE) over the ASCII bytes of `text`. */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) {
    crc = (CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff] as number) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** `value` in base62, left-padded with '0' to `width` characters. */
export function toBase62(value: number, width: number): string {
  let out = '';
  let v = value;
  while (v > 0) {
    out = BASE62[v % 62] + out;
    v = Math.floor(v / 62);
  }
  return out.padStart(width, '0');
}

/** `length` base62 characters from `crypto.getRandomValues`, unbiased (rejection sampling). */
export function randomBase62(length: number): string {
  let out = '';
  const buf = new Uint8Array(Math.min(length * 2, 4096));
  while (out.length < length) {
    crypto.getRandomValues(buf);
    for (const byte of buf) {
      if (byte < 248) out += BASE62[byte % 62]; // 248 = 4 × 62: keeps every character equally likely
      if (out.length === length) break;
    }
  }
  return out;
}

export function checksumOf(keyWithoutChecksum: string): string {
  return toBase62(crc32(keyWithoutChecksum), CHECKSUM_LENGTH);
}

/** A new key: ≈190 bits of randomness in the body. */
export function generateKey(prefix: string, environment: Environment): string {
  const head = `${prefix}_${environment}_${randomBase62(BODY_LENGTH)}`;
  return head + checksumOf(head);
}

export type ParsedKey = { ok: true; environment: Environment } | { ok: false; reason: 'malformed' | 'bad-checksum' };

function isBase62Code(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** Checks shape and checksum of `key` for the configured `prefix`, without any lookup. */
export function parseKey(key: string, prefix: string): ParsedKey {
  const envStart = prefix.length + 1;
  const bodyStart = envStart + 5;
  if (key.length !== bodyStart + BODY_LENGTH + CHECKSUM_LENGTH) return { ok: false, reason: 'malformed' };
  if (!key.startsWith(prefix) || key.charCodeAt(prefix.length) !== 95 /* _ */) return { ok: false, reason: 'malformed' };
  const environment = key.slice(envStart, envStart + 4);
  if ((environment !== 'live' && environment !== 'test') || key.charCodeAt(envStart + 4) !== 95) {
    return { ok: false, reason: 'malformed' };
  }
  for (let i = bodyStart; i < key.length; i++) {
    if (!isBase62Code(key.charCodeAt(i))) return { ok: false, reason: 'malformed' };
  }
  const split = key.length - CHECKSUM_LENGTH;
  if (checksumOf(key.slice(0, split)) !== key.slice(split)) return { ok: false, reason: 'bad-checksum' };
  return { ok: true, environment };
}

/** The display form of a key: the first 12 characters after the prefix (never enough to use it). */
export function keyStart(key: string, prefix: string): string {
  return key.slice(prefix.length + 1, prefix.length + 13);
}

/** A regex that finds keys of this prefix inside arbitrary text (URLs, logs, scanner rules). */
export function keyFinder(prefix: string): RegExp {
  return new RegExp(`${prefix}_(?:live|test)_[0-9A-Za-z]{${BODY_LENGTH + CHECKSUM_LENGTH}}`, 'g');
}
