// Reading a URL as the most lenient reader would: the origin, a log viewer, a framework that decodes
// twice. Used to find what must not be in a URL (a key, a method override) however it is escaped.

/** Rounds of percent-decoding: something escaped three times over is still found. */
const DECODE_ROUNDS = 4;
const ESCAPE = /%([0-9A-Fa-f]{2})/g;
const UTF8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/**
 * `text` as any reader could turn it back: escapes decoded round after round (double encoding,
 * either case of hex digit, invalid escapes left as they are), the bytes read as UTF-8, then NFKC
 * (fullwidth ｋｇ＿ is kg_). Cheap when there is nothing to decode.
 */
export function looseDecode(text: string): string {
  let decoded = text;
  for (let round = 0; round < DECODE_ROUNDS && decoded.includes('%'); round++) {
    const next = decoded.replace(ESCAPE, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    if (next === decoded) break;
    decoded = next;
  }
  if (!/[^\x00-\x7f]/.test(decoded)) return decoded;
  const bytes = Uint8Array.from(decoded, (ch) => ch.charCodeAt(0) & 0xff);
  return UTF8.decode(bytes).normalize('NFKC');
}

/** The names of the query parameters of `url`, loosely decoded (`+` is a space) and lower-cased. */
export function queryNames(url: string): string[] {
  const q = url.indexOf('?');
  if (q === -1) return [];
  const hash = url.indexOf('#', q);
  const names: string[] = [];
  for (const pair of url.slice(q + 1, hash === -1 ? undefined : hash).split('&')) {
    const eq = pair.indexOf('=');
    names.push(looseDecode((eq === -1 ? pair : pair.slice(0, eq)).replace(/\+/g, ' ')).toLowerCase());
  }
  return names;
}
