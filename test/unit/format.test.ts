import { describe, expect, it } from 'vitest';
import { checksumOf, crc32, generateKey, keyFinder, keyStart, parseKey, randomBase62, toBase62 } from '../../src/core/key-format';
import { hashKey, toHex } from '../../src/core/key-hash';
import { KEY_SUBPROTOCOL, subprotocols } from '../../src/core/credential';

/** An RFC 9110 token (§5.6.2), what a Sec-WebSocket-Protocol entry must be (RFC 6455 §4.1). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const KEY_REGEX = /^kg_(live|test)_[0-9A-Za-z]{32}[0-9A-Za-z]{6}$/;

describe('key format', () => {
  it('generates prefix_env_body+checksum keys that parse', () => {
    const live = generateKey('kg', 'live');
    const test = generateKey('acme', 'test');
    expect(live).toMatch(KEY_REGEX);
    expect(test).toMatch(/^acme_test_[0-9A-Za-z]{38}$/);
    expect(parseKey(live, 'kg')).toEqual({ ok: true, environment: 'live' });
    expect(parseKey(test, 'acme')).toEqual({ ok: true, environment: 'test' });
  });

  it('computes the standard CRC32 and base62 checksum', () => {
    expect(crc32('123456789')).toBe(0xcbf43926); // the CRC-32/ISO-HDLC check value
    expect(toBase62(0, 6)).toBe('000000');
    expect(toBase62(61, 2)).toBe('0z');
    expect(toBase62(0xffffffff, 6)).toBe('4gfFC3');
    const key = generateKey('kg', 'live');
    expect(key.slice(-6)).toBe(checksumOf(key.slice(0, -6)));
  });

  it('is unique and well-formed across 10,000 generations', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const key = generateKey('kg', 'live');
      expect(KEY_REGEX.test(key)).toBe(true);
      seen.add(key);
    }
    expect(seen.size).toBe(10_000);
  });

  it('draws body characters from the whole base62 alphabet without obvious bias', () => {
    const counts = new Map<string, number>();
    const sample = randomBase62(62_000);
    for (const ch of sample) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(62);
    for (const n of counts.values()) expect(n).toBeGreaterThan(800); // expected 1000 each
  });

  it('rejects near-misses without any lookup', () => {
    const key = generateKey('kg', 'live');
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'a' ? 'b' : 'a') + s.slice(i + 1);
    expect(parseKey(flip(key, 20), 'kg')).toEqual({ ok: false, reason: 'bad-checksum' });
    expect(parseKey(flip(key, key.length - 1), 'kg')).toEqual({ ok: false, reason: 'bad-checksum' });
    expect(parseKey(key.slice(0, -1), 'kg').ok).toBe(false);
    expect(parseKey(key + 'a', 'kg').ok).toBe(false);
    expect(parseKey('xx' + key.slice(2), 'kg').ok).toBe(false);
    expect(parseKey(key.replace('_live_', '_prod_'), 'kg').ok).toBe(false);
    expect(parseKey(key.replace('_live_', '-live_'), 'kg').ok).toBe(false);
    expect(parseKey(key.slice(0, 12) + '!' + key.slice(13), 'kg')).toEqual({ ok: false, reason: 'malformed' });
    expect(parseKey('', 'kg').ok).toBe(false);
  });

  it('shows a start that cannot be used as the key', () => {
    const key = generateKey('kg', 'test');
    expect(keyStart(key, 'kg')).toBe(key.slice(3, 15));
    expect(keyStart(key, 'kg').startsWith('test_')).toBe(true);
  });

  it('finds keys embedded in text', () => {
    const key = generateKey('kg', 'live');
    expect(`https://x.example/a?token=${key}&b=1`.match(keyFinder('kg'))).toEqual([key]);
  });

  it('hashes with SHA-256 to lowercase hex', async () => {
    expect(await hashKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('toHex renders every byte value, with the native Uint8Array.toHex and without it', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const expected = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    const proto = Uint8Array.prototype as { toHex?: () => string };
    expect(typeof proto.toHex).toBe('function');
    expect(toHex(bytes.buffer)).toBe(expected);
    const native = Object.getOwnPropertyDescriptor(Uint8Array.prototype, 'toHex') as PropertyDescriptor;
    delete proto.toHex;
    try {
      expect(toHex(bytes.buffer)).toBe(expected);
    } finally {
      Object.defineProperty(Uint8Array.prototype, 'toHex', native);
    }
  });
});

describe('keys as WebSocket subprotocol entries', () => {
  it('every key, of any valid prefix and environment, is a token, so keygate.bearer.<key> is a valid subprotocol', () => {
    for (const prefix of ['kg', 'acme', 'a1b2c3d4e5f6g7h8']) {
      for (const environment of ['live', 'test'] as const) {
        for (let i = 0; i < 200; i++) expect(`${KEY_SUBPROTOCOL}${generateKey(prefix, environment)}`).toMatch(TOKEN);
      }
    }
  });

  it('a Sec-WebSocket-Protocol value splits into its entries, blanks dropped', () => {
    expect(subprotocols(' chat.v1 ,keygate.bearer.kg_live_x,, chat.v2 ')).toEqual(['chat.v1', 'keygate.bearer.kg_live_x', 'chat.v2']);
    expect(subprotocols('')).toEqual([]);
  });
});
