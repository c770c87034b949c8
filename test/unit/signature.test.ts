// The RFC 9421 building blocks against the RFCs' own test vectors: the signature base and Ed25519
// signature of RFC 9421 §B.2.6, the JWK thumbprint of RFC 8037 §A.3, and the structured-field parser.

import { describe, expect, it } from 'vitest';
import {
  base64Encode,
  jwkThumbprint,
  parseDictionary,
  serializeSignatureParams,
  signatureBase,
  type Item,
} from '../../src/verifier/message.mjs';

// RFC 9421 §B.1.4 "test-key-ed25519" (published test key) and the §B.2.6 request.
const RFC_KEY = {
  kty: 'OKP',
  crv: 'Ed25519',
  d: 'n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU',
  x: 'JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs',
};
const B26_INPUT =
  'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"';
const B26_VALUES: Record<string, string> = {
  date: 'Tue, 20 Apr 2021 02:07:55 GMT',
  '@method': 'POST',
  '@path': '/foo',
  '@authority': 'example.com',
  'content-type': 'application/json',
  'content-length': '18',
};
const B26_BASE = [
  '"date": Tue, 20 Apr 2021 02:07:55 GMT',
  '"@method": POST',
  '"@path": /foo',
  '"@authority": example.com',
  '"content-type": application/json',
  '"content-length": 18',
  '"@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"',
].join('\n');
const B26_SIGNATURE = 'wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==';

describe('RFC 9421 signature base and Ed25519', () => {
  it('reproduces §B.2.6 byte for byte: the base from the parsed Signature-Input, then the signature', async () => {
    const member = parseDictionary(B26_INPUT).get('sig-b26') as Item;
    const ids = (member.value as Item[]).map((item) => item.value as string);
    const base = signatureBase(
      ids.map((id) => [id, B26_VALUES[id] as string]),
      serializeSignatureParams(ids, member.params),
    );
    expect(base).toBe(B26_BASE);
    const key = await crypto.subtle.importKey('jwk', RFC_KEY, { name: 'Ed25519' }, false, ['sign']);
    const signature = new Uint8Array(await crypto.subtle.sign('Ed25519', key, new TextEncoder().encode(base)));
    expect(base64Encode(signature)).toBe(B26_SIGNATURE);
  });

  it('parses the §B.2.6 Signature field as a 64-byte sequence', () => {
    const sig = parseDictionary(`sig-b26=:${B26_SIGNATURE}:`).get('sig-b26') as Item;
    expect(sig.value).toBeInstanceOf(Uint8Array);
    expect(base64Encode(sig.value as Uint8Array)).toBe(B26_SIGNATURE);
  });

  it('refuses a component value with a line break (it would forge another line of the base)', () => {
    expect(() => signatureBase([['x-a', 'ok\n"@method": GET']], '()')).toThrow(TypeError);
  });

  it('computes the RFC 8037 §A.3 JWK thumbprint', async () => {
    expect(await jwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' })).toBe(
      'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k',
    );
  });
});

describe('RFC 8941 dictionary parser', () => {
  it('keeps several members, parameters in order, strings with escapes, tokens and booleans', () => {
    const dict = parseDictionary('a=("x" "y");created=1;keyid="k\\"1", b=:AAE=:, c, d=tok;p=?0');
    expect([...dict.keys()]).toEqual(['a', 'b', 'c', 'd']);
    const a = dict.get('a') as Item;
    expect((a.value as Item[]).map((i) => i.value)).toEqual(['x', 'y']);
    expect([...a.params]).toEqual([
      ['created', 1],
      ['keyid', 'k"1'],
    ]);
    expect(serializeSignatureParams(['x', 'y'], a.params)).toBe('("x" "y");created=1;keyid="k\\"1"');
    expect([...(dict.get('b')?.value as Uint8Array)]).toEqual([0, 1]);
    expect(dict.get('c')?.value).toBe(true);
    expect(dict.get('d')).toEqual({ value: { token: 'tok' }, params: new Map([['p', false]]) });
  });

  it.each([
    ['unterminated string', 'a=("x'],
    ['unterminated inner list', 'a=("x" "y"'],
    ['items not separated', 'a=("x""y")'],
    ['upper-case key', 'A=1'],
    ['trailing comma', 'a=1,'],
    ['decimal', 'a=1.5'],
    ['bad escape', 'a="\\n"'],
    ['bad base64', 'a=:abc:'],
    ['garbage after member', 'a=1 b=2'],
  ])('refuses a malformed field: %s', (_name, text) => {
    expect(() => parseDictionary(text)).toThrow();
  });
});
