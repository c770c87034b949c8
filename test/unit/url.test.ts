// The URL slicing the request path uses, against the WHATWG parser's own answers.

import { describe, expect, it } from 'vitest';
import { hostOf, isHttpsOrLoopback, pathAndAfter, pathStart, rawPath } from '../../src/core/url';

describe('slicing a request URL', () => {
  const urls = [
    'https://api.example.com/forms/1?x=1#f',
    'https://api.example.com/',
    'https://api.example.com:8443/a//b;c?%2f',
    'http://127.0.0.1:8787/_keygate/v1/keys',
    'https://user@host/p',
  ];
  for (const url of urls) {
    it(url, () => {
      const parsed = new URL(url);
      expect(rawPath(url)).toBe(parsed.pathname);
      expect(hostOf(url)).toBe(url.slice(url.indexOf('//') + 2, pathStart(url)));
      expect(pathAndAfter(url)).toBe(parsed.pathname + parsed.search + parsed.hash);
    });
  }

  it('a URL with no path has the path "/" and nothing after its authority', () => {
    expect(pathStart('https://h')).toBe(-1);
    expect(rawPath('https://h')).toBe('/');
    expect(pathAndAfter('https://h')).toBe('');
    expect(hostOf('https://h')).toBe('h');
  });

  it('a query or fragment right after the path ends the path', () => {
    expect(rawPath('https://h/a?b/c')).toBe('/a');
    expect(rawPath('https://h/a#b?c')).toBe('/a');
  });
});

describe('https or loopback', () => {
  it('https anywhere; http only to localhost, 127.0.0.1 and [::1], or when allowed', () => {
    expect(isHttpsOrLoopback(new URL('https://example.com'))).toBe(true);
    for (const host of ['localhost', '127.0.0.1', '[::1]']) expect(isHttpsOrLoopback(new URL(`http://${host}:1/`))).toBe(true);
    for (const host of ['example.com', '127.0.0.2', 'localhost.example.com', '10.0.0.1']) {
      expect(isHttpsOrLoopback(new URL(`http://${host}/`))).toBe(false);
      expect(isHttpsOrLoopback(new URL(`http://${host}/`), true)).toBe(true);
    }
    expect(isHttpsOrLoopback(new URL('ftp://localhost/'))).toBe(false);
    expect(isHttpsOrLoopback(new URL('ftp://localhost/'), true)).toBe(false);
  });
});
