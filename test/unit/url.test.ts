// The URL slicing the request path uses, against the WHATWG parser's own answers.

import { describe, expect, it } from 'vitest';
import { hostOf, pathAndAfter, pathStart, rawPath } from '../../src/core/url';
import { serviceUrlProblem } from '../../src/config/setting';

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

describe('the URLs keygate calls besides the origin (WEBHOOK_URL, GITHUB_KEYS_URL)', () => {
  it('https anywhere; loopback (either scheme) only in local development; plain http elsewhere never', () => {
    expect(serviceUrlProblem('X', new URL('https://example.com'), false)).toBeUndefined();
    for (const host of ['localhost', '127.0.0.1', '127.0.0.2', '[::1]', 'api.localhost', '0.0.0.0']) {
      for (const scheme of ['http', 'https']) {
        expect(serviceUrlProblem('X', new URL(`${scheme}://${host}:1/`), true)).toBeUndefined();
        expect(serviceUrlProblem('X', new URL(`${scheme}://${host}:1/`), false)).toMatch(/^X is a loopback address.*LOCAL_DEV/);
      }
    }
    for (const host of ['example.com', 'localhost.example.com', '10.0.0.1'])
      for (const localDev of [true, false]) expect(serviceUrlProblem('X', new URL(`http://${host}/`), localDev)).toBe('X must be https');
    expect(serviceUrlProblem('X', new URL('ftp://localhost/'), true)).toBe('X must be https');
  });
});
