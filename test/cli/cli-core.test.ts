// The CLI's pure pieces in Node: option parsers, URL rules, the chart, redaction.

import { describe, expect, it } from 'vitest';
import { barChart, fit, stackedChart } from '../../cli/chart';
import { ago, percentages } from '../../cli/output';
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

describe('cli: stacked chart', () => {
  it('stacks segments bottom up; a boundary inside a cell names both segments', () => {
    const cells: string[] = [];
    const paint = (glyph: string, lower: number, upper: number | null) => {
      cells.push(`${glyph}${lower}${upper ?? '-'}`);
      return glyph;
    };
    // One column of 8 calls: 6 allowed, 2 refused, 2 rows high (16 eighths): allowed to 12, refused to 16.
    const rows = stackedChart(
      [
        [6, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        [2, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      ],
      { first: 'a', last: 'b' },
      80,
      paint,
      2,
    );
    expect(rows.slice(0, 2)).toEqual(['8 ┤▄', '0 ┤█']);
    // Top row: allowed up to 4/8 of it, the refusal above; bottom row: all allowed.
    expect(cells).toEqual(['▄01', '█0-']);
  });

  it('a zero segment below others takes no room, and a column of one refusal shows at least ▁', () => {
    const rows = stackedChart(
      [
        [0, 8, 0, 0, 0, 0, 0, 0, 0, 0],
        [1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      ],
      { first: 'a', last: 'b' },
      80,
      undefined,
      1,
    );
    expect(rows[0]).toBe('8 ┤▁█');
  });
});

describe('cli: shares and relative times', () => {
  it('percentages add up to 100 by largest remainder', () => {
    expect(percentages([1, 1, 1])).toEqual([34, 33, 33]);
    expect(percentages([3, 2])).toEqual([60, 40]);
    expect(percentages([1, 1, 1, 1, 1, 1, 1])).toEqual([15, 15, 14, 14, 14, 14, 14]);
    expect(percentages([0, 0])).toEqual([0, 0]);
    for (const counts of [
      [5, 7, 11, 13],
      [1, 998, 1],
      [333, 333, 334],
    ])
      expect(percentages(counts).reduce((a, b) => a + b, 0)).toBe(100);
  });

  it('ago: the largest whole unit, past or to come', () => {
    const now = Date.parse('2026-12-02T08:00:00Z');
    expect(ago('2026-12-02T07:57:00Z', now)).toBe('3m ago');
    expect(ago('2026-12-02T07:59:58Z', now)).toBe('just now');
    expect(ago('2026-12-02T05:30:00Z', now)).toBe('2h ago');
    expect(ago('2026-11-25T08:00:00Z', now)).toBe('7d ago');
    expect(ago('2027-01-01T08:00:00Z', now)).toBe('in 30d');
    expect(ago('2026-12-02T07:59:30Z', now)).toBe('30s ago');
  });
});
