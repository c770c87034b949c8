// Shared by the benchmark scripts (run.mjs, profile.mjs, variants.mjs): pinning, CPU readings,
// the origin process, bundling behind the https shim, one workerd per configuration, seeding keys.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { build } from 'esbuild';
import { convertV4MiniflareOptions, Miniflare } from 'miniflare';
import { DURABLE_OBJECTS } from '../scripts/durable-objects.mjs';

export const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

export function pin(pid, core) {
  execFileSync('taskset', ['-a', '-p', '-c', String(core), String(pid)], { stdio: 'ignore' });
}

export function childPids() {
  const out = spawnSync('ps', ['--ppid', String(process.pid), '-o', 'pid=,comm=']).stdout.toString();
  return out
    .trim()
    .split('\n')
    .filter((l) => l.includes('workerd'))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

/**
 * CPU time of `pid` and all its threads, in microseconds: the sum of the threads' schedstat run
 * times (nanosecond resolution), or utime + stime (clock ticks) where schedstat is missing.
 */
export function cpuMicros(pid) {
  try {
    let ns = 0;
    for (const task of readdirSync(`/proc/${pid}/task`))
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    return ns / 1000;
  } catch {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLK_TCK;
  }
}

/**
 * Runs wrk without blocking this process, and returns its JSON line (bench/lua/report.lua) with its
 * whole output (`stdout`; only that with `raw`, for scripts that print no JSON line). Never
 * spawnSync: every workerd of a benchmark is a child of this process and lives on its event loop —
 * miniflare reads each workerd's stdout and stderr here, and keeps the dev registry (heartbeats,
 * pushes to each runtime) here. Blocked for a run, this process stopped reading; a gateway that
 * logged (a failed usage flush writes a warning) filled its pipe, blocked in write() and answered
 * nothing for the rest of the run (`bench/ab.mjs B2` from its fourth round on, 2026-12-02).
 */
export function wrk(args, env = {}, { raw = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', () => {
      const line = stdout.split('\n').find((l) => l.startsWith('JSON '));
      if (line) resolve({ ...JSON.parse(line.slice(5)), stdout });
      else if (raw) resolve({ stdout });
      else reject(new Error(`wrk printed no result: ${stdout}\n${stderr}`));
    });
  });
}

/** The benchmark origin, a separate Node process answering after `delayMs`; `children` collects it for clean-up. */
export async function startOrigin(children, delayMs = 0) {
  const child = spawn(process.execPath, ['bench/origin.mjs', '0', String(delayMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const port = await new Promise((resolve) => child.stdout.on('data', (d) => resolve(Number(/PORT (\d+)/.exec(String(d))[1]))));
  return `http://127.0.0.1:${port}`;
}

/**
 * Bundles `entry` behind a shim that presents each request as https — as the Cloudflare edge does
 * after terminating TLS — so every configuration pays the same shim and none pays TLS.
 */
export async function bundle(work, entry, name, minify = true) {
  const shim = join(work, `${name}-shim.js`);
  const target = JSON.stringify(resolve(entry));
  writeFileSync(
    shim,
    `import target from ${target};\nexport * from ${target};\n` +
      `export default { fetch(request, env, ctx) { return target.fetch(new Request('https' + request.url.slice(4), request), env, ctx); } };\n`,
  );
  return bundleForWorkerd(shim, join(work, `${name}.js`), minify);
}

/** One ES module for workerd from `entry`, as wrangler would bundle it (platform modules left external). */
export async function bundleForWorkerd(entry, outfile, minify = true, plugins = []) {
  await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    outfile,
    logLevel: 'silent',
    minify,
    external: ['cloudflare:*', 'node:*'],
    plugins,
  });
  return outfile;
}

/**
 * One workerd per configuration, pinned to core 0; returns its URL and pid. `companions`: more
 * Workers in the same process (the RPC rows' callers and targets), each with its own URL in `urls`.
 */
export async function startWorker(work, name, scriptPath, bindings, extra = {}, instance = {}, companions = []) {
  const before = new Set(childPids());
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: '127.0.0.1',
      port: 0,
      resourcePersistencePath: join(work, name),
      ...instance,
      workers: [
        {
          name,
          modules: true,
          scriptPath,
          modulesRoot: dirname(scriptPath),
          compatibilityDate: '2026-11-01',
          // Every configuration runs here against a loopback origin, which keygate accepts only in
          // local development.
          bindings: { LOCAL_DEV: 'true', ...bindings },
          // Straight to the Worker: no miniflare entry worker in front of any configuration.
          unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
          ...extra,
        },
        ...companions.map((companion) => ({
          modules: true,
          modulesRoot: dirname(companion.scriptPath),
          compatibilityDate: '2026-11-01',
          unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
          ...companion,
        })),
      ],
    }),
  );
  await mf.ready;
  const directUrl = async (worker) => (await mf.unsafeGetDirectURL(worker)).toString().replace(/\/$/, '');
  const url = await directUrl(name);
  const urls = Object.fromEntries(await Promise.all(companions.map(async (c) => [c.name, await directUrl(c.name)])));
  const pid = childPids().find((p) => !before.has(p));
  if (pid === undefined) throw new Error(`no workerd process found for ${name}`);
  pin(pid, 0);
  return { name, url, pid, mf, urls };
}

/**
 * Usage counting outside the gateway's process, as on Cloudflare, where a UsageShard runs in a
 * Durable Object somewhere else and its SQLite work is never the gateway isolate's CPU: a gateway
 * started with `remoteUsage(work, name)` binds USAGE to the worker `usage-<name>` of a second
 * workerd (`startUsageShards`, pinned to core 1 beside the origin and wrk), through miniflare's dev
 * registry. What the gateway pays for counting stays in its own CPU: building the batch and sending
 * it (serialised, over a socket between the two processes).
 */
export function remoteUsage(work, name) {
  return {
    instance: { unsafeDevRegistryPath: join(work, 'dev-registry') },
    durableObjects: { USAGE: { className: 'UsageShard', scriptName: `usage-${name}` } },
  };
}

/** keygate from `scriptPath` as the gateway `name`: KV, the Durable Objects `objects` (wrangler.toml's), usage in another process; `companions` as startWorker's. */
export function startKeygate(work, name, scriptPath, bindings, objects = DURABLE_OBJECTS, companions = []) {
  const usage = remoteUsage(work, name);
  const extra = { kvNamespaces: ['KEYS'], durableObjects: { ...objects, ...usage.durableObjects } };
  return startWorker(work, name, scriptPath, bindings, extra, usage.instance, companions);
}

/** The UsageShards of the gateways `names`, from `scriptPath` (keygate's bundle), in one workerd of their own pinned to core 1. */
export async function startUsageShards(work, scriptPath, names) {
  const before = new Set(childPids());
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: '127.0.0.1',
      port: 0,
      resourcePersistencePath: join(work, 'usage-shards'),
      unsafeDevRegistryPath: join(work, 'dev-registry'),
      workers: names.map((name) => ({
        name: `usage-${name}`,
        modules: true,
        scriptPath,
        modulesRoot: dirname(scriptPath),
        compatibilityDate: '2026-11-01',
        // A shard forwards last-used times to its gateway's registry.
        durableObjects: { USAGE: { className: 'UsageShard', useSQLite: true }, REGISTRY: { className: 'Registry', scriptName: name } },
      })),
    }),
  );
  await mf.ready;
  const pid = childPids().find((p) => !before.has(p));
  if (pid === undefined) throw new Error('no workerd process found for the usage shards');
  pin(pid, 1);
  return { pid, mf };
}

/** fetch, retried once: undici may reuse a keep-alive socket the worker has just closed. */
export async function fetchRetry(url, init) {
  try {
    return await fetch(url, init);
  } catch {
    return fetch(url, init);
  }
}

/** `count` keys with scopes ['bench:read'] (plus `fields`) in a new project, created through the admin API. */
function adminPost(url) {
  return (path, body) =>
    fetchRetry(`${url}/_keygate/v1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then((r) => r.json());
}

/** `count` keys of one new customer with `fields` (its limits, which all its keys share). */
export async function seedCustomerKeys(url, count, fields) {
  const admin = adminPost(url);
  const project = await admin('/projects', { name: 'bench customer' });
  const customer = await admin(`/projects/${project.id}/customers`, { name: 'bench', externalId: 'bench-customer', ...fields });
  if (typeof customer.id !== 'string') throw new Error(`seeding failed: ${JSON.stringify(customer)}`);
  return seedKeys(url, count, { customerId: customer.id }, project.id);
}

export async function seedKeys(url, count, fields = {}, projectId = undefined) {
  const admin = adminPost(url);
  const project = projectId === undefined ? await admin('/projects', { name: 'bench' }) : { id: projectId };
  const keys = [];
  const batch = 16;
  for (let i = 0; i < count; i += batch) {
    const made = await Promise.all(
      Array.from({ length: Math.min(batch, count - i) }, () =>
        admin(`/projects/${project.id}/keys`, { name: 'bench', scopes: ['bench:read'], ...fields }),
      ),
    );
    for (const k of made) {
      if (typeof k.key !== 'string') throw new Error(`seeding failed: ${JSON.stringify(k)}`);
      keys.push(k.key);
    }
  }
  return keys;
}

/** Fields of a captured refusal the runtime writes itself, or that change per call (the request id). */
const NOT_TEMPLATED = new Set(['content-length', 'date', 'x-request-id']);

/**
 * keygate's answer to `key` on /bench, captured for B2 to send the same bytes (B2_REFUSALS): the
 * status, the headers, the body and the request id in it. Calls until the answer has `status`
 * (a quota of 1 is spent by the first call).
 */
export async function captureRefusal(url, key, status) {
  for (let call = 1; call <= 3; call++) {
    const res = await fetchRetry(`${url}/bench`, { headers: { authorization: `Bearer ${key}` } });
    const body = await res.text();
    if (res.status !== status) continue;
    const headers = Object.fromEntries([...res.headers].filter(([name]) => !NOT_TEMPLATED.has(name)));
    const requestId = res.headers.get('x-request-id');
    if (requestId === null || !body.includes(requestId)) throw new Error(`the ${status} of ${url} names no request id: ${body}`);
    return { status, headers, body, requestId };
  }
  throw new Error(`${url} did not answer ${status} for the key`);
}

/** B2's key records: each key's SHA-256 (hex) with the scopes seedKeys gives it; the ids are B2's own. */
export function minimalRecords(keys) {
  return keys.map((key, i) => ({
    hash: createHash('sha256').update(key).digest('hex'),
    id: `key_b2${i}`,
    projectId: 'prj_b2',
    scopes: ['bench:read'],
    environment: key.split('_')[1],
  }));
}
