// DER → raw r‖s for ECDSA P-256: the sign byte GitHub's DER carries for a high bit, short integers
// padded back to 32 bytes, and strict refusal of anything that is not exactly one DER signature.

import { describe, expect, it } from 'vitest';
import { derToRawSignature } from '../../src/leaks/der';
import { rawToDer } from '../helpers/github-signer';

const bytes = (...parts: (number | number[])[]): Uint8Array => new Uint8Array(parts.flat());
const filled = (n: number, value: number): number[] => Array.from({ length: n }, () => value);

describe('derToRawSignature', () => {
  it('keeps 32-byte integers as they are', () => {
    const r = filled(32, 0x11);
    const s = filled(32, 0x22);
    const der = bytes(0x30, 68, 0x02, 32, r, 0x02, 32, s);
    expect([...(derToRawSignature(der) as Uint8Array)]).toEqual([...r, ...s]);
  });

  it('drops the leading zero that keeps a high bit from reading as a sign', () => {
    const r = [0x80, ...filled(31, 0x01)];
    const s = [0xff, ...filled(31, 0x02)];
    const der = bytes(0x30, 70, 0x02, 33, 0x00, r, 0x02, 33, 0x00, s);
    expect([...(derToRawSignature(der) as Uint8Array)]).toEqual([...r, ...s]);
  });

  it('pads short integers back to 32 bytes (r or s with leading zero bytes)', () => {
    const r = filled(30, 0x33); // r = 00 00 33…: DER drops the zeros
    const s = [0x05]; // a 1-byte s
    const der = bytes(0x30, 2 + 30 + 2 + 1, 0x02, 30, r, 0x02, 1, s);
    const raw = derToRawSignature(der) as Uint8Array;
    expect(raw.length).toBe(64);
    expect([...raw]).toEqual([0, 0, ...r, ...filled(31, 0), 0x05]);
  });

  it('round-trips raw signatures of every shape through DER', () => {
    const shapes = [
      [...filled(32, 0xff), ...filled(32, 0x7f)],
      [0, 0, 0, ...filled(29, 0x90), 0, ...filled(31, 0x01)],
      [...filled(31, 0), 0x01, 0x80, ...filled(31, 0)],
    ];
    for (const raw of shapes) expect([...(derToRawSignature(rawToDer(new Uint8Array(raw))) as Uint8Array)]).toEqual(raw);
  });

  it('gives WebCrypto a signature it verifies, for many real signatures', async () => {
    const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    const data = new TextEncoder().encode('[{"token":"x","type":"t","url":"u"}]');
    let highBit = 0;
    for (let i = 0; i < 40; i++) {
      const raw = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, data));
      if ((raw[0] as number) & 0x80) highBit++;
      const back = derToRawSignature(rawToDer(raw)) as Uint8Array;
      expect(await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, pair.publicKey, back, data)).toBe(true);
    }
    expect(highBit).toBeGreaterThan(0); // the sign-byte case was exercised
  });

  it('refuses anything that is not exactly one minimal DER signature', () => {
    const r = filled(32, 0x11);
    const good = [0x30, 68, 0x02, 32, ...r, 0x02, 32, ...r];
    const bad: Record<string, number[]> = {
      empty: [],
      'wrong outer tag': [0x31, ...good.slice(1)],
      'outer length too long': [0x30, 69, ...good.slice(2)],
      'trailing bytes': [...good, 0x00],
      'missing s': [0x30, 34, 0x02, 32, ...r],
      'integer tag wrong': [0x30, 68, 0x03, 32, ...r, 0x02, 32, ...r],
      negative: [0x30, 68, 0x02, 32, 0x80, ...filled(31, 1), 0x02, 32, ...r],
      'non-minimal zero': [0x30, 69, 0x02, 33, 0x00, 0x11, ...filled(31, 1), 0x02, 32, ...r],
      'integer too long': [0x30, 70, 0x02, 34, 0x00, 0x00, 0x80, ...filled(31, 1), 0x02, 32, ...r],
      'zero-length integer': [0x30, 36, 0x02, 0, 0x02, 32, ...r],
      'zero integer': [0x30, 37, 0x02, 1, 0x00, 0x02, 32, ...r],
      'long-form length of two bytes': [0x30, 0x82, 0, 68, ...good.slice(2)],
      'integer runs past the end': [0x30, 68, 0x02, 32, ...r, 0x02, 40, ...r],
    };
    for (const [name, der] of Object.entries(bad)) expect(derToRawSignature(new Uint8Array(der)), name).toBeNull();
    expect(derToRawSignature(new Uint8Array(good))).not.toBeNull();
  });
});
