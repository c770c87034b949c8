// The ORIGIN_URL rule the Worker and the deploy check share (src/config/origin-rule.mjs): which
// hosts are this machine, whatever their spelling once `URL` has parsed them.

import { describe, expect, it } from 'vitest';
import { isLoopbackHost, originUrlProblem } from '../../src/config/origin-rule.mjs';

const host = (url: string) => new URL(url).hostname;

describe('isLoopbackHost', () => {
  it.each([
    'http://localhost:8788',
    'http://LOCALHOST.:8788',
    'http://api.localhost',
    'http://127.0.0.1',
    'http://127.1:8788',
    'http://0x7f000001/',
    'http://127.255.0.9',
    'http://0.0.0.0',
    'http://0/',
    'http://[::1]:8788',
    'http://[0:0:0:0:0:0:0:1]/',
    'http://[::]/',
    'http://[::ffff:127.0.0.1]/',
  ])('%s is this machine', (url) => {
    expect(isLoopbackHost(host(url))).toBe(true);
  });

  it.each([
    'https://api.example.com',
    'https://localhost.example.com',
    'https://128.0.0.1',
    'https://10.0.0.1',
    'https://[2001:db8::1]',
    'https://[::ffff:10.0.0.1]',
  ])('%s is not', (url) => {
    expect(isLoopbackHost(host(url))).toBe(false);
  });
});

describe('originUrlProblem', () => {
  it('refuses every loopback spelling outside local development, over http or https', () => {
    for (const url of ['http://127.1:8788', 'https://[::1]', 'http://localhost.', 'https://0x7f000001']) {
      expect(originUrlProblem(new URL(url), { localDev: false, allowHttp: true }), url).toMatch(/^ORIGIN_URL is a loopback address/);
      expect(originUrlProblem(new URL(url), { localDev: true, allowHttp: false }), url).toBeUndefined();
    }
  });
});
