// Runs the built deploy bundle (dist/index.js, from `npm run build`) in workerd through miniflare's
// Node API, on a real loopback socket — for what only a real HTTP client can send: raw paths,
// ambiguous framing, plain http next to https, restarts over persisted state.

import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { convertV4MiniflareOptions, Miniflare } from 'miniflare';
import { startFakeOrigin } from '../helpers/fake-origin';
import { DURABLE_OBJECTS } from '../../scripts/durable-objects.mjs';

export const E2E_ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist/ (and, through wrangler's [build], the dashboard) unless it is newer than every source file. */
export function ensureBundle(): string {
  const bundle = 'dist/index.js';
  // package.json too: the Worker answers its version (GET /_keygate/v1/version, the OpenAPI document).
  const sources = Math.max(newestMtime('src'), newestMtime('ui'), statSync('wrangler.toml').mtimeMs, statSync('package.json').mtimeMs);
  const stale = !existsSync(bundle) || !existsSync('public/_keygate/ui/app.js') || statSync(bundle).mtimeMs < sources;
  if (stale) execFileSync('wrangler', ['deploy', '--dry-run', '--outdir', 'dist'], { stdio: 'ignore' });
  return bundle;
}

export interface KeygateServer {
  url: string;
  mf: Miniflare;
  dispose(): Promise<void>;
}

export async function startKeygate(options: {
  https: boolean;
  persistDir: string;
  originUrl: string;
  bindings?: Record<string, unknown>;
}): Promise<KeygateServer> {
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: '127.0.0.1',
      port: 0,
      https: options.https,
      resourcePersistencePath: options.persistDir,
      workers: [
        {
          name: 'keygate',
          modules: true,
          scriptPath: ensureBundle(),
          compatibilityDate: '2026-11-01',
          kvNamespaces: ['KEYS'],
          durableObjects: DURABLE_OBJECTS,
          // As wrangler.toml's [assets]: the docs page and the dashboard, the Worker first.
          assets: { directory: 'public', binding: 'ASSETS', run_worker_first: true, routerConfig: { has_user_worker: true } },
          bindings: {
            ORIGIN_URL: options.originUrl,
            // The origin is on loopback, which the Worker accepts only in local development.
            LOCAL_DEV: 'true',
            ADMIN_TOKEN: E2E_ADMIN_TOKEN,
            KEY_PREFIX: 'kg',
            ROUTES: [{ method: '*', path: '/forms/*', scopes: ['forms:read'] }],
            ...options.bindings,
          },
        },
      ],
    }),
  );
  const url = (await mf.ready).toString().replace(/\/$/, '');
  return { url, mf, dispose: () => mf.dispose() };
}

export interface Stack {
  originUrl: string;
  dir: string;
  keygate: KeygateServer;
  /** Restarts keygate over the same persisted state (e.g. as plain http). */
  restart(https: boolean): Promise<KeygateServer>;
  stop(): Promise<void>;
}

/** The fake origin and keygate in front of it, with state in a fresh temporary directory. */
export async function startStack(bindings: Record<string, unknown> = {}): Promise<Stack> {
  const origin = await startFakeOrigin();
  const originUrl = `http://127.0.0.1:${origin.port}`;
  const dir = mkdtempSync(join(tmpdir(), 'keygate-e2e-'));
  const persistDir = join(dir, 'state');
  const stack: Stack = {
    originUrl,
    dir,
    keygate: await startKeygate({ https: true, persistDir, originUrl, bindings }),
    async restart(https) {
      await stack.keygate.dispose();
      stack.keygate = await startKeygate({ https, persistDir, originUrl, bindings });
      return stack.keygate;
    },
    async stop() {
      await stack.keygate.dispose();
      origin.server.closeAllConnections();
      origin.server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return stack;
}
