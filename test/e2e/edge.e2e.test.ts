// The edge as Cloudflare runs it, in one workerd: three locations of 8, 4 and 1 isolates (each its
// own module state; each location its own Cache API) sharing the Durable Objects and KV, with the
// delays of a real deployment in front of every remote part (bench/edge/shim-lib.js, a test build
// only). What only several isolates can show: the registry's load does not grow with isolates,
// revocation holds its 5 s bound while KV and a location's copy of the feed are stale, and a feed
// that does not answer in time fails closed. The origin is a fake (tests fake nothing else).

import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEdgeBundle } from '../../bench/edge/build.mjs';
import { startEdge, seedEdgeKeys, type Edge, type EdgeIsolate } from '../../bench/edge/topology.mjs';
import { DURABLE_OBJECTS } from '../../scripts/durable-objects.mjs';
import { startFakeOrigin } from '../helpers/fake-origin';
import type { RecordedCall } from '../helpers/origin-types';

const TOKEN = 'edge-test-admin-token-0123456789abcdef';
const DELAYS = { registry: 150, regional: 25, locationCache: 2, kv: 5, limiter: 10, usage: 50 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let edge: Edge;
let originUrl: string;
let stopOrigin: () => void;
let dir: string;
const isolatesOf = (location: string): EdgeIsolate[] => edge.locations.find((l) => l.name === location)?.isolates ?? [];
const everyIsolate = (): EdgeIsolate[] => edge.locations.flatMap((l) => l.isolates);

async function call(isolate: EdgeIsolate, key: string, tag = 'edge'): Promise<Response> {
  const res = await fetch(`${isolate.url}/forms/1`, { headers: { authorization: `Bearer ${key}`, 'x-test-tag': tag } });
  await res.clone().arrayBuffer();
  return res;
}

async function admin(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${edge.adminUrl}/_keygate/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

beforeAll(async () => {
  const origin = await startFakeOrigin();
  originUrl = `http://127.0.0.1:${origin.port}`;
  stopOrigin = () => {
    origin.server.closeAllConnections();
    origin.server.close();
  };
  dir = mkdtempSync(join(tmpdir(), 'keygate-edge-test-'));
  const script = await buildEdgeBundle('.', DURABLE_OBJECTS, dir, 'edge');
  edge = await startEdge({
    script,
    bareScript: 'bench/workers/bare-proxy.js',
    objects: DURABLE_OBJECTS,
    locations: [
      { name: 'paris', region: 'weur', isolates: 8 },
      { name: 'virginia', region: 'enam', isolates: 4 },
      { name: 'sydney', region: 'oc', isolates: 1 },
    ],
    vars: {
      ORIGIN_URL: originUrl,
      ADMIN_TOKEN: TOKEN,
      ROUTES: JSON.stringify([{ method: '*', path: '/forms/*', scopes: ['forms:read'] }]),
      LOG_LEVEL: 'error',
    },
    delays: DELAYS,
    persist: join(dir, 'state'),
  });
}, 120_000);

afterAll(async () => {
  await edge?.dispose();
  stopOrigin?.();
  rmSync(dir, { recursive: true, force: true });
});

describe('the edge with many isolates', () => {
  it('the registry sees one call per region per poll interval, none from isolates: 8 isolates in a location cost it no more than 1', async () => {
    const [{ key }] = (await seedEdgeKeys(edge.adminUrl, TOKEN, 1, { scopes: ['forms:read'] })) as unknown as [{ key: string }];
    for (const isolate of everyIsolate()) expect((await call(isolate, key)).status).toBe(200); // warm: cached, synced
    await sleep(2_500);
    await edge.counters(true);
    const started = Date.now();
    const seconds = 12;
    // Every isolate calls about 4 times a second, each on its own schedule.
    await Promise.all(
      everyIsolate().map(async (isolate) => {
        while (Date.now() - started < seconds * 1000) {
          const res = await call(isolate, key);
          if (res.status !== 200) expect(`${res.status} ${await res.text()}`, `${isolate.name} at ${Date.now() - started} ms`).toBe('200');
          await sleep(150 + Math.random() * 200);
        }
      }),
    );
    const elapsed = (Date.now() - started) / 1000;
    const counts = await edge.counters();
    const fromIsolates = (pattern: RegExp, location?: string) =>
      Object.entries(counts)
        .filter(([name]) => name !== 'objects' && (location === undefined || name.startsWith(`${location}-`)))
        .reduce((n, [, c]) => n + Object.entries(c).reduce((m, [k, v]) => (pattern.test(k) ? m + v : m), 0), 0);
    const fromReplica = (region: string) =>
      Object.entries(counts.objects ?? {}).reduce((n, [k, v]) => (k.startsWith(`feed:${region}>REGISTRY.`) ? n + v : n), 0);
    const intervals = elapsed / 2;
    console.log(
      `registry calls in ${elapsed.toFixed(1)} s: from isolates ${fromIsolates(/^REGISTRY\./)}, from the replicas of paris (8 isolates) ${fromReplica('weur')}, virginia (4) ${fromReplica('enam')}, sydney (1) ${fromReplica('oc')}; replica calls from paris ${fromIsolates(/^FEED\.snapshot$/, 'paris')}, virginia ${fromIsolates(/^FEED\.snapshot$/, 'virginia')}, sydney ${fromIsolates(/^FEED\.snapshot$/, 'sydney')}`,
    );
    expect(fromIsolates(/^REGISTRY\./), 'no isolate calls the registry in steady state').toBe(0);
    for (const region of ['weur', 'enam', 'oc']) expect(fromReplica(region)).toBeLessThanOrEqual(Math.ceil(intervals) + 1);
    expect(fromReplica('weur'), '8 isolates: no more registry calls than 1').toBeLessThanOrEqual(fromReplica('oc') + 1);
    // A location asks its replica about once per interval, whatever its isolates (8 × 4/s would be ~400 calls).
    expect(fromIsolates(/^FEED\.snapshot$/, 'paris')).toBeLessThanOrEqual(2 * Math.ceil(intervals) + 2);
  }, 60_000);

  it('revocation reaches every isolate within 5 s while KV serves the old record and every location keeps serving its old copy of the feed', async () => {
    const [{ id, key }] = (await seedEdgeKeys(edge.adminUrl, TOKEN, 1, { scopes: ['forms:read'] })) as unknown as [
      { id: string; key: string },
    ];
    for (const isolate of everyIsolate()) expect((await call(isolate, key)).status).toBe(200);
    await sleep(2_500); // every location's copy now knows the key as active
    const kvKey = `key:${createHash('sha256').update(key).digest('hex')}`;
    const kv = (await edge.mf.getKVNamespace('KEYS', 'objects')) as unknown as { get(key: string): Promise<string | null> };
    const activeRecord = (await kv.get(kvKey)) as string;
    expect(JSON.parse(activeRecord)).toMatchObject({ status: 'active' });
    await edge.setFaults({ staleKv: { [kvKey]: activeRecord }, frozenCache: true });
    try {
      expect((await admin('POST', `/keys/${id}/revoke`)).status).toBe(200);
      const revokedAt = Date.now();
      const refusedAfter = new Map<string, number>();
      const tag = `revoked-${Date.now()}`;
      while (Date.now() - revokedAt < 6_500) {
        await Promise.all(
          everyIsolate().map(async (isolate) => {
            const res = await call(isolate, key, refusedAfter.has(isolate.name) ? tag : 'edge');
            if (res.status === 401) {
              if (!refusedAfter.has(isolate.name)) refusedAfter.set(isolate.name, Date.now() - revokedAt);
            } else {
              expect(res.status).toBe(200);
              expect(refusedAfter.has(isolate.name), `${isolate.name} admitted the key again after refusing it`).toBe(false);
            }
          }),
        );
        await sleep(150);
      }
      const times = [...refusedAfter.values()];
      console.log(`revoked key refused after (ms): ${[...refusedAfter].map(([n, t]) => `${n} ${t}`).join(', ')}`);
      expect(refusedAfter.size, 'every isolate refused the revoked key').toBe(everyIsolate().length);
      expect(Math.max(...times)).toBeLessThanOrEqual(5_000);
      const origin = (await (await fetch(`${originUrl}/__calls/${tag}`)).json()) as RecordedCall[];
      expect(origin, 'the origin saw nothing of the key once refused').toEqual([]);
    } finally {
      await edge.setFaults({});
    }
  }, 60_000);

  it('a change feed that does not answer within FEED_TIMEOUT_MS fails closed: 503 auth-unavailable, the origin not called; calls pass again once it answers', async () => {
    const [{ key }] = (await seedEdgeKeys(edge.adminUrl, TOKEN, 1, { scopes: ['forms:read'] })) as unknown as [{ key: string }];
    for (const isolate of everyIsolate()) expect((await call(isolate, key)).status).toBe(200);
    // Replicas and the registry answer 5 s late: every view ages past the bound, and the wait for a new one hits the deadline.
    await edge.setFaults({ slow: { FEED: 5_000, REGISTRY: 5_000 } });
    try {
      await sleep(5_000);
      const tag = `deadline-${Date.now()}`;
      for (const isolate of [...isolatesOf('paris').slice(0, 2), ...isolatesOf('sydney')]) {
        const started = Date.now();
        const res = await call(isolate, key, tag);
        const waited = Date.now() - started;
        expect(res.status, isolate.name).toBe(503);
        expect(((await res.json()) as { type: string }).type).toMatch(/auth-unavailable$/);
        expect(res.headers.get('retry-after')).toBe('2');
        expect(waited, 'the wait ended at the deadline, not when the feed answered').toBeLessThan(4_500);
      }
      expect((await (await fetch(`${originUrl}/__calls/${tag}`)).json()) as RecordedCall[]).toEqual([]);
    } finally {
      await edge.setFaults({});
    }
    const back = Date.now();
    let status = 0;
    while (status !== 200 && Date.now() - back < 15_000) {
      status = (await call(isolatesOf('sydney')[0] as EdgeIsolate, key)).status;
      if (status !== 200) await sleep(250);
    }
    expect(status, 'calls pass again once the feed answers').toBe(200);
  }, 60_000);
});
