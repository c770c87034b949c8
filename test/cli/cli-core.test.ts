// The CLI's pure pieces in Node: option parsers, URL rules, the chart, redaction.

import { describe, expect, it } from 'vitest';
import { barChart, fit } from '../../cli/chart';
import { checkUrl, keepSecret, redact } from '../../cli/connection';
import { durationSeconds, futureTime, metadata, pastTime, quota, rateLimit } from '../../cli/parse';
import { CliError } from '../../cli/errors';

function exitCodeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof CliError ? err.exitCode : -1;
  }
  return undefined;
}

describe('cli: option values', () => {
  it('durations, rate limits, quotas, metadata', () => {
    expect([durationSeconds('90'), durationSeconds('15m'), durationSeconds('2h'), durationSeconds('7d')]).toEqual([90, 900, 7200, 604800]);
    expect(() => durationSeconds('2 weeks')).toThrow(/duration/);
    expect(rateLimit('hourly=1000/1h', rateLimit('burst=10/10s'))).toEqual([
      { name: 'burst', limit: 10, windowSeconds: 10 },
      { name: 'hourly', limit: 1000, windowSeconds: 3600 },
    ]);
    expect(() => rateLimit('burst=10')).toThrow(/NAME=LIMIT\/WINDOW/);
    expect(quota('1000/day')).toEqual({ limit: 1000, period: 'day' });
    expect(() => quota('1000/week')).toThrow();
    expect(metadata('b=x=y', metadata('a=1'))).toEqual({ a: '1', b: 'x=y' });
    expect(() => metadata('=1')).toThrow();
    for (const name of ['__proto__', 'constructor', 'prototype']) expect(() => metadata(`${name}=x`, { a: '1' })).toThrow(/reserved name/);
    expect(Object.keys(metadata('proto=x', metadata('__proto=y')))).toEqual(['__proto', 'proto']);
  });

  it('times: ISO as given, durations from now (forward for expiry, back for usage)', () => {
    const now = Date.now();
    expect(Date.parse(futureTime('1d')) - now).toBeGreaterThanOrEqual(86_400_000 - 1000);
    expect(now - Date.parse(pastTime('2h'))).toBeGreaterThanOrEqual(7_200_000 - 1000);
    expect(futureTime('2030-01-02T03:04:05Z')).toBe('2030-01-02T03:04:05.000Z');
    expect(() => pastTime('yesterday')).toThrow();
  });
});

describe('cli: URLs and secrets', () => {
  it('https anywhere; http and --insecure only on loopback; no credentials in the URL', () => {
    expect(checkUrl('https://api.example.com/', false)).toBe('https://api.example.com');
    expect(checkUrl('https://localhost:8787', true)).toBe('https://localhost:8787');
    expect(checkUrl('https://[::1]:8787', true)).toBe('https://[::1]:8787');
    expect(checkUrl('http://127.0.0.1:8787', false)).toBe('http://127.0.0.1:8787');
    expect(exitCodeOf(() => checkUrl('https://api.example.com', true))).toBe(2);
    expect(exitCodeOf(() => checkUrl('http://api.example.com', false))).toBe(2);
    expect(exitCodeOf(() => checkUrl('https://u:p@api.example.com', false))).toBe(2);
    expect(exitCodeOf(() => checkUrl('ftp://api.example.com', false))).toBe(2);
    expect(exitCodeOf(() => checkUrl('not a url', false))).toBe(2);
  });

  it('redact replaces every kept secret', () => {
    keepSecret('s3cret-token-value');
    expect(redact('a s3cret-token-value b s3cret-token-value')).toBe('a [redacted] b [redacted]');
  });
});

describe('cli: chart', () => {
  it('fit sums neighbours down to the width and keeps the total', () => {
    const values = Array.from({ length: 60 }, (_, i) => i);
    const fitted = fit(values, 20);
    expect(fitted).toHaveLength(20);
    expect(fitted.reduce((a, b) => a + b, 0)).toBe(values.reduce((a, b) => a + b, 0));
    expect(fit([1, 2], 20)).toEqual([1, 2]);
  });

  it('the peak fills the column, half the peak half of it, any call shows, zero shows nothing', () => {
    const rows = barChart([0, 8, 4, 1, 0, 0, 0, 0, 0, 0], { first: 'a', last: 'b' }, 80, 2);
    expect(rows[0]).toBe('8 ┤ █');
    expect(rows[1]).toBe('0 ┤ ██▂');
    expect(rows[2]).toBe('  └──────────');
  });

  it('an empty series draws axes only', () => {
    const rows = barChart([0, 0, 0], { first: '03:00', last: '04:00' }, 80, 3);
    expect(rows.slice(0, 3)).toEqual(['0 ┤', '  ┤', '0 ┤']);
  });
});
