// The change feed's pure parts: what a registry page, a replica's window and an isolate's view
// take from each other (src/core/feed-snapshot.ts), and where a request's replica is (placement.ts).

import { describe, expect, it } from 'vitest';
import { changesFor, mergePage, pruneWindow, registryPage, type FeedEntry, type FeedSnapshot } from '../../src/core/feed-snapshot';
import { regionFor } from '../../src/core/placement';
import { KV_STALENESS_MS, type KeyRecord } from '../../src/core/key-record';

const record = (id: string): KeyRecord => ({
  v: 3,
  credits: null,
  meter: id,
  customer: null,
  id,
  projectId: 'prj_x',
  environment: 'live',
  scopes: [],
  status: 'revoked',
  expiresAt: null,
  ipAllowlist: null,
  rateLimits: [],
  quota: null,
});
const entry = (seq: number, at: number): FeedEntry => ({ seq, hash: `h${seq}`, record: record(`key_${seq}`), at });
const NOW = 10_000_000;

describe('registryPage', () => {
  it('vouches for every change after `since`; older ones are KV’s business', () => {
    const rows = [entry(5, NOW - 1000), entry(6, NOW - 10)];
    expect(registryPage(0, 6, 5, rows, NOW)).toEqual({ latest: 6, since: 4, confirmedAt: NOW, refreshAt: NOW, entries: rows });
    // A holder already past some of them gets only the rest, and keeps its own cursor as `since`.
    expect(registryPage(5, 6, 5, rows, NOW)).toMatchObject({ since: 5, entries: [rows[1]] });
    // Nothing recent: complete up to the latest change.
    expect(registryPage(0, 9, null, [], NOW)).toMatchObject({ latest: 9, since: 9, entries: [] });
  });
});

describe('a replica’s window', () => {
  const window: FeedSnapshot = {
    latest: 6,
    since: 4,
    confirmedAt: NOW,
    refreshAt: NOW,
    entries: [entry(5, NOW - 1000), entry(6, NOW - 10)],
  };

  it('appends the next page and moves confirmedAt', () => {
    const page = registryPage(6, 7, 5, [entry(7, NOW + 1000)], NOW + 2000);
    const merged = mergePage(window, page);
    expect(merged.entries.map((e) => e.seq)).toEqual([5, 6, 7]);
    expect(merged).toMatchObject({ latest: 7, since: 4, confirmedAt: NOW + 2000 });
  });

  it('drops what KV serves by now and says so in `since`', () => {
    const later = NOW + KV_STALENESS_MS - 500; // the horizon is NOW - 500: entry 5 (NOW - 1000) is past it, 6 is not
    const merged = pruneWindow({ ...window, confirmedAt: later });
    expect(merged.entries.map((e) => e.seq)).toEqual([6]);
    expect(merged.since).toBe(5);
  });

  it('starts over from a page that begins past it (it slept through part of the feed)', () => {
    const page = registryPage(6, 20, 19, [entry(19, NOW + 100_000), entry(20, NOW + 100_001)], NOW + 100_002);
    const merged = mergePage(window, page);
    expect(merged).toMatchObject({ latest: 20, since: 18 });
    expect(merged.entries.map((e) => e.seq)).toEqual([19, 20]);
  });
});

describe('an isolate taking a snapshot', () => {
  const snapshot: FeedSnapshot = {
    latest: 6,
    since: 4,
    confirmedAt: NOW,
    refreshAt: NOW + 2000,
    entries: [entry(5, NOW - 10), entry(6, NOW - 5)],
  };

  it('takes only what it has not seen', () => {
    expect(changesFor(5, NOW - 3000, snapshot)).toEqual({ reset: false, entries: [snapshot.entries[1]] });
    expect(changesFor(6, NOW - 3000, snapshot)).toEqual({ reset: false, entries: [] }); // nothing new, but newer confirmation
  });

  it('resets (drops its cache) when the snapshot no longer holds changes it missed', () => {
    expect(changesFor(2, NOW - 90_000, snapshot)).toEqual({ reset: true, entries: snapshot.entries });
  });

  it('ignores a copy that knows less, or is confirmed no later than its own view (an old copy served late)', () => {
    expect(changesFor(7, NOW - 3000, snapshot)).toBeNull();
    expect(changesFor(6, NOW, snapshot)).toBeNull();
    expect(changesFor(6, NOW + 1, snapshot)).toBeNull();
  });
});

describe('regionFor', () => {
  it('maps where the client is to a Durable Object location hint', () => {
    expect(regionFor({ continent: 'NA', country: 'US', longitude: '-122.42' })).toBe('wnam');
    expect(regionFor({ continent: 'NA', country: 'US', longitude: '-73.9' })).toBe('enam');
    expect(regionFor({ continent: 'EU', country: 'FR', longitude: '2.35' })).toBe('weur');
    expect(regionFor({ continent: 'EU', country: 'PL', longitude: '21.0' })).toBe('eeur');
    expect(regionFor({ continent: 'AS', country: 'AE', longitude: '55.3' })).toBe('me');
    expect(regionFor({ continent: 'AF', country: 'EG', longitude: '31.2' })).toBe('me');
    expect(regionFor({ continent: 'AS', country: 'JP', longitude: '139.7' })).toBe('apac');
    expect(regionFor({ continent: 'OC', country: 'AU', longitude: '151.2' })).toBe('oc');
    expect(regionFor({ continent: 'SA', country: 'BR', longitude: '-46.6' })).toBe('sam');
    expect(regionFor({ continent: 'AF', country: 'ZA', longitude: '18.4' })).toBe('afr');
  });

  it('is "default" when the request carries no geography (local runs) or an unknown continent', () => {
    expect(regionFor(undefined)).toBe('default');
    expect(regionFor({})).toBe('default');
    expect(regionFor({ continent: 'XX' })).toBe('default');
    expect(regionFor({ continent: 'EU' })).toBe('weur');
  });
});
