import { describe, expect, it } from 'vitest';
import { extractCredential, findKeyInUrl } from '../../src/core/credential';
import { generateKey } from '../../src/core/key-format';
import { ambiguousFramingReason, nonCanonicalReason } from '../../src/core/canonical-path';
import { rawPath } from '../../src/core/url';
import { originUrl } from '../../src/edge/proxy/forward';

describe('canonical paths', () => {
  it('reads the raw path', () => {
    expect(rawPath('https://h.example/a/b?x=1')).toBe('/a/b');
    expect(rawPath('https://h.example/a%2Fb#f')).toBe('/a%2Fb');
    expect(rawPath('https://h.example')).toBe('/');
  });

  it('refuses every form of path trickery', () => {
    for (const bad of [
      '/a//b',
      '//admin',
      '/a/%2e%2e/b',
      '/a/%2E/b',
      '/a%2fb',
      '/a%2Fadmin',
      '/a%5cb',
      '/a/./b',
      '/a/../b',
      '/a/..',
      '/a\\b',
      '/a%00',
    ]) {
      expect(nonCanonicalReason(bad), bad).not.toBeNull();
    }
    for (const ok of ['/', '/forms', '/forms/42', '/forms/a.b', '/forms/..x', '/a%20b']) expect(nonCanonicalReason(ok), ok).toBeNull();
  });

  it('refuses escaped unreserved characters (each is the character itself to a normalizing reader)', () => {
    for (const bad of ['/%5Fkeygate/v1', '/_keygat%65/v1', '/v1/%61dmin', '/a%41', '/a%5a', '/a%7A', '/a%30', '/a%39', '/a%2D', '/a%7e']) {
      expect(nonCanonicalReason(bad), bad).toMatch(/percent-encoded letter/);
    }
    // Reserved and other characters must stay escaped: they are not the same path unescaped.
    for (const ok of ['/a%20b', '/a%3Fb', '/a%23b', '/a%25', '/a%40b', '/a%5Bb', '/a%60', '/a%7B', '/a%C3%A9', '/a%3a', '/a%2C']) {
      expect(nonCanonicalReason(ok), ok).toBeNull();
    }
  });

  it('refuses ambiguous framing if the runtime ever passes it through', () => {
    const h = (init: Record<string, string>) => new Headers(init);
    expect(ambiguousFramingReason(h({ 'content-length': '4', 'transfer-encoding': 'chunked' }))).toMatch(/both/);
    expect(ambiguousFramingReason(h({ 'content-length': '4, 5' }))).toMatch(/repeated/);
    expect(ambiguousFramingReason(h({ 'content-length': '12' }))).toBeNull();
    expect(ambiguousFramingReason(h({ 'transfer-encoding': 'chunked' }))).toBeNull();
  });

  it('forwards path and query unchanged, order and encoding kept', () => {
    expect(originUrl('https://o.example/base', 'https://api.example/v1/x?c=1&b=2&%61=3')).toBe('https://o.example/base/v1/x?c=1&b=2&%61=3');
  });
});

describe('credential extraction', () => {
  const h = (init: Record<string, string>) => new Headers(init);
  it('takes Bearer or X-API-Key', () => {
    expect(extractCredential(h({ authorization: 'Bearer abc' }))).toEqual({ ok: true, key: 'abc' });
    expect(extractCredential(h({ authorization: 'bearer   abc' }))).toEqual({ ok: true, key: 'abc' });
    expect(extractCredential(h({ 'X-API-KEY': 'abc' }))).toEqual({ ok: true, key: 'abc' });
  });

  it('classifies what is wrong', () => {
    const problem = (init: Record<string, string>) => {
      const r = extractCredential(h(init));
      return r.ok ? 'ok' : r.problem;
    };
    expect(problem({})).toBe('missing-api-key');
    expect(problem({ authorization: 'Bearer' })).toBe('missing-api-key');
    expect(problem({ 'x-api-key': '' })).toBe('missing-api-key');
    expect(problem({ authorization: 'Basic dXNlcjpwYXNz' })).toBe('malformed-credentials');
    expect(problem({ authorization: 'Bearer a b' })).toBe('malformed-credentials');
    expect(problem({ authorization: 'Bearer \u00e9t\u00e9' })).toBe('malformed-credentials');
    expect(problem({ 'x-api-key': 'a, b' })).toBe('invalid-api-key');
    expect(problem({ authorization: 'Bearer a', 'x-api-key': 'b' })).toBe('invalid-api-key');
    expect(problem({ 'x-api-key': 'x'.repeat(5000) })).toBe('invalid-api-key');
  });

  it('finds keys and key parameters in URLs', () => {
    const key = generateKey('kg', 'live');
    expect(findKeyInUrl(`https://a.example/x?api_key=${key}`, 'kg')).toEqual({ found: true, keys: [key] });
    expect(findKeyInUrl('https://a.example/x?apikey=whatever', 'kg')).toEqual({ found: true, keys: [] });
    expect(findKeyInUrl('https://a.example/x?ACCESS_TOKEN=1', 'kg').found).toBe(true);
    expect(findKeyInUrl(`https://a.example/${key}/x`, 'kg').keys).toEqual([key]);
    expect(findKeyInUrl('https://a.example/x?key=1&q=kg_', 'kg')).toEqual({ found: false, keys: [] });
  });

  it('finds keys however they are escaped', () => {
    const key = generateKey('kg', 'live');
    for (const url of [
      `https://a.example/x?q=${key.replace(/_/g, '%5F')}`,
      `https://a.example/x?q=${key.replace(/_/g, '%5f')}`,
      `https://a.example/x?q=${key.replace(/_/g, '%255F')}`,
      `https://a.example/x?q=${key.replace(/_/g, '%25255F')}`,
      `https://a.example/${encodeURIComponent(key).replace(/[a-z]/g, (ch) => '%' + ch.charCodeAt(0).toString(16))}`,
      `https://a.example/x#${key.replace('_', '%5F')}`,
      `https://a.example/${encodeURIComponent([...key].map((ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)).join(''))}`,
    ])
      expect(findKeyInUrl(url, 'kg').keys, url).toEqual([key]);
    expect(findKeyInUrl('https://a.example/x?api%5Fkey=1', 'kg').found).toBe(true);
    expect(findKeyInUrl('https://a.example/x?API%255FKEY=1', 'kg').found).toBe(true);
    expect(findKeyInUrl('https://a.example/x?access+token=1&x-api%2Dkey=2', 'kg').found).toBe(true);
    expect(findKeyInUrl('https://a.example/x?q=%zz%e&r=50%25', 'kg')).toEqual({ found: false, keys: [] });
  });
});
