// An edge in one workerd: several locations, each with several isolates of the same gateway (one
// miniflare worker each, so each has its own module state, and each location its own Cache API),
// sharing one set of Durable Objects (a worker "objects", bound through scriptName) and one KV
// namespace — as isolates in Cloudflare's locations share the account's objects and KV. A bare
// proxy worker per location is the baseline. Used by bench/edge/run.mjs and test/e2e/edge.e2e.test.ts.

import { convertV4MiniflareOptions, Miniflare } from 'miniflare';
import { dirname } from 'node:path';

/** Where a simulated location is: the request geography its isolates see (src/core/placement.ts maps it to a region). */
export const GEO = {
  wnam: { continent: 'NA', country: 'US', longitude: '-122.4' },
  enam: { continent: 'NA', country: 'US', longitude: '-74.0' },
  weur: { continent: 'EU', country: 'FR', longitude: '2.3' },
  eeur: { continent: 'EU', country: 'PL', longitude: '21.0' },
  apac: { continent: 'AS', country: 'SG', longitude: '103.8' },
  oc: { continent: 'OC', country: 'AU', longitude: '151.2' },
  sam: { continent: 'SA', country: 'BR', longitude: '-46.6' },
  afr: { continent: 'AF', country: 'ZA', longitude: '18.4' },
  me: { continent: 'AS', country: 'AE', longitude: '55.3' },
};

/**
 * Starts the edge. `locations`: [{ name, region, isolates }]. `vars`: keygate's bindings (string
 * values). Returns the admin URL (the objects worker), per location the isolates' and the bare
 * proxy's URLs, and a way to read every worker's counters.
 */
export async function startEdge({ script, bareScript, objects, locations, vars, delays, faults = {}, persist }) {
  const common = {
    modules: true,
    scriptPath: script,
    modulesRoot: dirname(script),
    compatibilityDate: '2026-11-01',
    kvNamespaces: { KEYS: 'edge-keys' },
  };
  // LOCAL_DEV: the origin is on loopback, which keygate accepts only in local development.
  const edgeVars = { LOCAL_DEV: 'true', ...vars, EDGE_DELAYS: JSON.stringify(delays), EDGE_FAULTS: JSON.stringify(faults) };
  // The harness's stand-in for each location's Cache API (shim-lib.js EdgeLocationCache) lives with them.
  const all = { ...objects, EDGE_CACHE: { className: 'EdgeLocationCache' } };
  const own = Object.fromEntries(Object.entries(all).map(([binding, o]) => [binding, { className: o.className, useSQLite: true }]));
  const remote = Object.fromEntries(
    Object.entries(all).map(([binding, o]) => [binding, { className: o.className, useSQLite: true, scriptName: 'objects' }]),
  );
  const socket = [{ host: '127.0.0.1', port: 0 }];
  const workers = [{ name: 'objects', ...common, bindings: edgeVars, durableObjects: own, unsafeDirectSockets: socket }];
  const names = [];
  for (const location of locations) {
    const geo = { name: location.name, ...GEO[location.region] };
    const isolates = [];
    for (let i = 0; i < location.isolates; i++) {
      const name = `${location.name}-i${i}`;
      isolates.push(name);
      workers.push({
        name,
        ...common,
        bindings: { ...edgeVars, EDGE_LOCATION: JSON.stringify(geo) },
        durableObjects: remote,
        unsafeDirectSockets: socket,
      });
    }
    const bare = `${location.name}-bare`;
    workers.push({
      name: bare,
      modules: true,
      scriptPath: bareScript,
      modulesRoot: dirname(bareScript),
      compatibilityDate: '2026-11-01',
      bindings: { ORIGIN_URL: vars.ORIGIN_URL },
      unsafeDirectSockets: socket,
    });
    names.push({ ...location, isolates, bare });
  }
  const mf = new Miniflare(
    convertV4MiniflareOptions({ host: '127.0.0.1', port: 0, ...(persist ? { defaultPersistRoot: persist } : {}), workers }),
  );
  await mf.ready;
  const url = async (name) => (await mf.unsafeGetDirectURL(name)).toString().replace(/\/$/, '');
  const located = [];
  for (const location of names) {
    located.push({
      ...location,
      isolates: await Promise.all(location.isolates.map(async (name) => ({ name, url: await url(name) }))),
      bare: await url(location.bare),
    });
  }
  const adminUrl = await url('objects');
  /** Every worker's counters: { objects: {...}, [isolate]: {...} }. */
  const counters = async (reset = false) => {
    const all = {};
    const read = async (name, base) => {
      const res = await fetch(`${base}/__edge/counters`, { method: reset ? 'DELETE' : 'GET' });
      all[name] = await res.json();
    };
    await read('objects', adminUrl);
    await Promise.all(located.flatMap((l) => l.isolates.map((i) => read(i.name, i.url))));
    return all;
  };
  /** Puts `faults` in force in every worker (see shim-lib.js). */
  const setFaults = async (next) => {
    const urls = [adminUrl, ...located.flatMap((l) => l.isolates.map((i) => i.url))];
    await Promise.all(
      urls.map((u) => fetch(`${u}/__edge/faults`, { method: 'POST', body: JSON.stringify(next) }).then((r) => r.arrayBuffer())),
    );
  };
  return { mf, adminUrl, locations: located, counters, setFaults, dispose: () => mf.dispose() };
}

/** Seeds `count` keys (scopes ['bench:read']) through the admin API; returns [{ id, key }]. */
export async function seedEdgeKeys(adminUrl, token, count, fields = {}) {
  const call = async (path, body) => {
    const res = await fetch(`${adminUrl}/_keygate/v1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return res.json();
  };
  const project = await call('/projects', { name: 'edge' });
  const keys = [];
  for (let i = 0; i < count; i++) {
    const made = await call(`/projects/${project.id}/keys`, { name: `edge-${i}`, scopes: ['bench:read'], ...fields });
    if (typeof made.key !== 'string') throw new Error(`seeding failed: ${JSON.stringify(made)}`);
    keys.push({ id: made.id, key: made.key });
  }
  return keys;
}
