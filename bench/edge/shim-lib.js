// Runs inside workerd, in edge-harness and multi-isolate test builds only (bench/edge/build.mjs
// bundles it around keygate's entry; the shipped bundle and `npm start` never contain it). It puts
// a configurable one-way delay in front of every remote dependency a Worker or Durable Object
// reaches through its bindings — Durable Object namespaces, KV, the Cache API — counts each call,
// gives every simulated location its own cache, and presents requests as https with the
// location's `cf` geography (as Cloudflare's edge does). The delay is applied on the way in, so
// it is the call's added round trip.
//
// EDGE_DELAYS (JSON, ms): {registry, regional, locationCache, kv, limiter, usage}.
// EDGE_LOCATION (JSON): {name, continent, country, longitude} for gateway isolates.
// EDGE_FAULTS (JSON, tests; also POST /__edge/faults at run time): {staleKv: {<kv key>: <json
// text>}, frozenCache: true, down: [binding], slow: {<binding>: ms}} — KV serving an old record, a
// location cache that keeps serving whatever it had, a dependency that fails or answers late.

import { DurableObject } from 'cloudflare:workers';

/** binding name → delay key */
const DELAY_OF = { REGISTRY: 'registry', FEED: 'regional', LIMITER: 'limiter', USAGE: 'usage', WEBHOOKS: 'registry', KEYS: 'kv' };

export const counters = {};
/** The faults in force in this isolate (EDGE_FAULTS at first use, replaced by POST /__edge/faults). */
let faults = null;
const currentFaults = (env) => (faults ??= parse(env?.EDGE_FAULTS, {}));
function count(name) {
  counters[name] = (counters[name] ?? 0) + 1;
}

const sleep = (ms) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

function parse(raw, fallback) {
  if (raw === undefined || raw === '') return fallback;
  return typeof raw === 'string' ? JSON.parse(raw) : raw;
}

const idNames = new WeakMap();

function wrapStub(stub, binding, name, ms, caller) {
  return new Proxy(stub, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      return async (...args) => {
        count(`${binding}.${prop}`);
        count(`${binding}:${name}`);
        if (caller !== undefined) count(`${caller}>${binding}.${prop}`);
        await sleep(ms + (faults?.slow?.[binding] ?? 0));
        if (faults?.down?.includes(binding)) throw new Error(`${binding} is down (EDGE_FAULTS)`);
        return target[prop](...args);
      };
    },
  });
}

function wrapNamespace(ns, binding, ms, caller) {
  return {
    idFromName(name) {
      const id = ns.idFromName(name);
      idNames.set(id, name);
      return id;
    },
    idFromString: (s) => ns.idFromString(s),
    newUniqueId: (o) => ns.newUniqueId(o),
    get(id, options) {
      return wrapStub(ns.get(id, options), binding, idNames.get(id) ?? id.toString(), ms, caller);
    },
    getByName(name, options) {
      return this.get(this.idFromName(name), options);
    },
    jurisdiction: (j) => ns.jurisdiction(j),
  };
}

function wrapKv(kv, ms) {
  const op =
    (name) =>
    async (...args) => {
      count(`KEYS.${name}`);
      await sleep(ms);
      const stale = faults?.staleKv ?? {};
      if (name === 'get' && typeof args[0] === 'string' && args[0] in stale) {
        const text = stale[args[0]];
        const type = typeof args[1] === 'object' ? args[1]?.type : args[1];
        return type === 'json' ? JSON.parse(text) : text;
      }
      return kv[name](...args);
    };
  return { get: op('get'), getWithMetadata: op('getWithMetadata'), put: op('put'), delete: op('delete'), list: op('list') };
}

const wrappedEnvs = new WeakMap();

/**
 * The bindings as this build sees them: the same object for the same platform env (keygate's
 * configuration cache keys on it). `caller` (a Durable Object's name) labels its outgoing calls.
 */
export function wrapEnv(env, caller) {
  let byCaller = wrappedEnvs.get(env);
  if (byCaller === undefined) wrappedEnvs.set(env, (byCaller = new Map()));
  const known = byCaller.get(caller);
  if (known !== undefined) return known;
  const delays = parse(env.EDGE_DELAYS, {});
  currentFaults(env);
  const wrapped = { ...env };
  for (const [binding, key] of Object.entries(DELAY_OF)) {
    if (env[binding] === undefined) continue;
    wrapped[binding] =
      binding === 'KEYS' ? wrapKv(env[binding], delays[key] ?? 0) : wrapNamespace(env[binding], binding, delays[key] ?? 0, caller);
  }
  byCaller.set(caller, wrapped);
  return wrapped;
}

/**
 * Cloudflare's per-location Cache API, as the harness has it: one in-memory Durable Object per
 * location (miniflare's own Cache API writes every entry through a SQLite-backed service and disk in
 * the same workerd, a cost the per-data-center cache does not have, and shares one cache between all
 * workers). Entries expire by their Cache-Control max-age, as Cloudflare's do.
 */
export class EdgeLocationCache extends DurableObject {
  entries = new Map();
  match(url) {
    const entry = this.entries.get(url);
    if (entry === undefined) return null;
    if (entry.until <= Date.now()) {
      this.entries.delete(url);
      return null;
    }
    return entry.response;
  }
  put(url, response, maxAgeS) {
    this.entries.set(url, { response, until: Date.now() + maxAgeS * 1000 });
  }
  delete(url) {
    return this.entries.delete(url);
  }
}

const urlOf = (request) => (typeof request === 'string' ? request : request.url);

/** The Cache API of one location, delayed: `caches.open(name)` talks to the location's EdgeLocationCache. */
export function installLocationCaches(namespace, location, delayMs) {
  // A stub per operation: a Durable Object stub belongs to the request that made it.
  const stubFor = (name) => () => namespace.get(namespace.idFromName(`${location}/${name}`));
  const wrapCache = (stub) => ({
    async match(request) {
      count('cache.match');
      await sleep(delayMs);
      const stored = await stub().match(urlOf(request));
      return stored === null ? undefined : new Response(stored.body, { status: stored.status, headers: stored.headers });
    },
    async put(request, response) {
      count('cache.put');
      await sleep(delayMs);
      const body = await response.arrayBuffer();
      if (faults?.frozenCache === true) return; // the location keeps serving whatever it had
      const maxAge = Number(/max-age=(\d+)/.exec(response.headers.get('cache-control') ?? '')?.[1] ?? 0);
      if (maxAge <= 0) return;
      await stub().put(urlOf(request), { status: response.status, headers: [...response.headers], body }, maxAge);
    },
    async delete(request) {
      count('cache.delete');
      await sleep(delayMs);
      return stub().delete(urlOf(request));
    },
  });
  const opened = new Map();
  const open = async (name) => {
    if (!opened.has(name)) opened.set(name, wrapCache(stubFor(name)));
    return opened.get(name);
  };
  Object.defineProperty(globalThis, 'caches', {
    configurable: true,
    value: {
      open,
      get default() {
        throw new Error('the edge harness gives caches.default no location; use caches.open');
      },
    },
  });
}

export const EDGE_HOST = 'api.edge.test';
let installed = false;

/** The request as Cloudflare's edge hands it over: https, with the location's geography in `cf`. */
export function edgeRequest(request, env) {
  const location = parse(env.EDGE_LOCATION, null);
  if (!installed) {
    installed = true;
    const delays = parse(env.EDGE_DELAYS, {});
    currentFaults(env);
    installLocationCaches(env.EDGE_CACHE, location?.name ?? 'objects', delays.locationCache ?? 0);
  }
  // One public hostname for every isolate (each has its own loopback port here; on Cloudflare they
  // all serve the API's host), over https as after the edge's TLS.
  const parsed = new URL(request.url);
  const url = `https://${EDGE_HOST}${parsed.pathname}${parsed.search}`;
  const cf =
    location === null
      ? undefined
      : { colo: location.name, continent: location.continent, country: location.country, longitude: location.longitude };
  return new Request(url, { method: request.method, headers: request.headers, body: request.body, cf, redirect: 'manual' });
}

/** The harness's own routes: `/__edge/counters` (GET; DELETE sets them to zero), `/__edge/faults` (POST). */
export async function controlResponse(request) {
  const { pathname } = new URL(request.url);
  if (pathname === '/__edge/faults' && request.method === 'POST') {
    faults = await request.json();
    return Response.json(faults);
  }
  if (request.method === 'DELETE') for (const k of Object.keys(counters)) delete counters[k];
  return Response.json(counters);
}
