import { describe, expect, it } from 'vitest';
import { TtlCache } from '../../src/edge/memory/key-cache';

describe('TtlCache', () => {
  const TTL = 1000;
  it('serves fresh entries and drops stale ones', async () => {
    const cache = new TtlCache<string>({ maxEntries: 10, jitter: 0, ttlFor: (_v, _n, ttl) => ttl });
    cache.set('a', 'A', 0, TTL);
    expect(cache.peek('a', 999)).toBe('A');
    expect(cache.peek('a', 1000)).toBeUndefined();
  });

  it('never keeps an entry past the TTL the value allows (e.g. a key expiry)', () => {
    const cache = new TtlCache<{ until: number }>({ maxEntries: 10, jitter: 0.2, ttlFor: (v, now, ttl) => Math.min(ttl, v.until - now) });
    cache.set('k', { until: 300 }, 0, TTL);
    expect(cache.peek('k', 239)).toBeDefined(); // jitter takes at most 20 % off
    expect(cache.peek('k', 300)).toBeUndefined();
    cache.set('gone', { until: 0 }, 10, TTL);
    expect(cache.peek('gone', 10)).toBeUndefined();
  });

  it('applies jitter only downwards', () => {
    const cache = new TtlCache<number>({ maxEntries: 1000, jitter: 0.2, ttlFor: (_v, _n, ttl) => ttl });
    for (let i = 0; i < 500; i++) cache.set(String(i), i, 0, TTL);
    let alive799 = 0;
    for (let i = 0; i < 500; i++) {
      if (cache.peek(String(i), 799) !== undefined) alive799++;
      expect(cache.peek(String(i), 1000)).toBeUndefined();
    }
    expect(alive799).toBe(500);
  });

  it('is bounded, evicting the oldest', () => {
    const cache = new TtlCache<number>({ maxEntries: 3, jitter: 0, ttlFor: (_v, _n, ttl) => ttl });
    for (let i = 0; i < 5; i++) cache.set(String(i), i, 0, TTL);
    expect(cache.size).toBe(3);
    expect(cache.peek('0', 1)).toBeUndefined();
    expect(cache.peek('4', 1)).toBe(4);
  });

  it('loads once for concurrent misses and does not cache failures', async () => {
    const cache = new TtlCache<string>({ maxEntries: 10, jitter: 0, ttlFor: (_v, _n, ttl) => ttl });
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 10));
      return 'value';
    };
    const results = await Promise.all(Array.from({ length: 20 }, () => cache.get('k', Date.now(), TTL, load)));
    expect(results.every((r) => r === 'value')).toBe(true);
    expect(loads).toBe(1);

    let failures = 0;
    const failing = async () => {
      failures++;
      throw new Error('boom');
    };
    await expect(Promise.all([cache.get('f', Date.now(), TTL, failing), cache.get('f', Date.now(), TTL, failing)])).rejects.toThrow('boom');
    expect(failures).toBe(1);
    await expect(cache.get('f', Date.now(), TTL, failing)).rejects.toThrow('boom');
    expect(failures).toBe(2);
  });

  it('stops sharing a load that has not settled within shareForMs', async () => {
    const cache = new TtlCache<string>({ maxEntries: 10, jitter: 0, ttlFor: (_v, _n, ttl) => ttl });
    let loads = 0;
    const never = () => {
      loads++;
      return new Promise<string>(() => {});
    };
    void cache.get('k', 0, TTL, never, 100);
    void cache.get('k', 50, TTL, never, 100);
    expect(loads).toBe(1);
    void cache.get('k', 150, TTL, never, 100);
    expect(loads).toBe(2);
  });
});
