// ECDSA signatures: GitHub sends DER (`SEQUENCE { INTEGER r, INTEGER s }`), WebCrypto verifies the
// raw form r‖s (each a fixed-width big-endian integer). Strict: anything but a minimal, exact DER
// encoding of two positive integers that fit the curve's width is refused (null), never guessed at.

/** The raw r‖s (2 × `width` bytes) of a DER ECDSA signature, or null when it is not one. */
export function derToRawSignature(der: Uint8Array, width = 32): Uint8Array | null {
  if (der.length < 8 || der[0] !== 0x30) return null;
  const seq = readLength(der, 1);
  if (seq === null || seq.end !== der.length) return null;
  const r = readInteger(der, seq.start, width);
  if (r === null) return null;
  const s = readInteger(der, r.end, width);
  if (s === null || s.end !== der.length) return null;
  const raw = new Uint8Array(2 * width);
  raw.set(r.value, width - r.value.length);
  raw.set(s.value, 2 * width - s.value.length);
  return raw;
}

/** A DER length at `at` (short form, or long form of one byte): where the contents start and end. */
function readLength(der: Uint8Array, at: number): { start: number; end: number } | null {
  const first = der[at];
  if (first === undefined) return null;
  if (first < 0x80) return { start: at + 1, end: at + 1 + first };
  // A P-256 or P-384 signature is at most 104 bytes: one length byte ≥ 0x80 is all DER allows here.
  const long = der[at + 1];
  if (first !== 0x81 || long === undefined || long < 0x80) return null;
  return { start: at + 2, end: at + 2 + long };
}

/** A positive INTEGER at `at`, without its sign byte, at most `width` bytes long. */
function readInteger(der: Uint8Array, at: number, width: number): { value: Uint8Array; end: number } | null {
  if (der[at] !== 0x02) return null;
  const len = readLength(der, at + 1);
  if (len === null || len.end > der.length || len.end === len.start) return null;
  let bytes = der.subarray(len.start, len.end);
  if ((bytes[0] as number) & 0x80) return null; // negative
  if (bytes[0] === 0) {
    // A leading zero is only allowed (and then required) to keep a high bit from reading as a sign.
    if (bytes.length === 1 || !((bytes[1] as number) & 0x80)) return null;
    bytes = bytes.subarray(1);
  }
  if (bytes.length > width) return null;
  return { value: bytes, end: len.end };
}
