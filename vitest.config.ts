// Four test projects. "workers": inside workerd through @cloudflare/vitest-plugin — real KV and
// Durable Objects from miniflare, the Worker configured from wrangler.toml, a real fake origin in
// Node, a second Worker bound as TOOLS (a service-binding upstream, test/workers/), webhooks off. "webhooks": the same with WEBHOOK_URL/WEBHOOK_SECRET bound to a verifying
// receiver in Node (the Durable Objects read them from their own bindings). "cli": the CLI's and
// the npm scripts' pure pieces in Node. "e2e": Node drives the built deploy bundle in workerd over
// real sockets (the CLI tests run the real bin against it).

import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { buildSync } from 'esbuild';
import { defineConfig } from 'vitest/config';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
/** The webhook signing secret of the "webhooks" project (32 bytes); the receiver verifies with it. */
export const TEST_WEBHOOK_SECRET = 'whsec_a2V5Z2F0ZS10ZXN0LXdlYmhvb2stc2VjcmV0LTAxMjM=';
// wrangler's config reader checks [secrets].required against process.env.
process.env.ADMIN_TOKEN ??= TEST_ADMIN_TOKEN;

type Inject = (key: 'originPort' | 'receiverPort') => number;

/**
 * The second Worker of the verifier tests (test/workers/verify-client.ts: an RPC caller and a Hono
 * app behind keygate/hono), bundled here because auxiliary Workers are not built by the plugin.
 */
const VERIFY_CLIENT = 'node_modules/.cache/keygate-test/verify-client.mjs';
buildSync({
  entryPoints: ['test/workers/verify-client.ts'],
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  mainFields: ['module', 'main'],
  outfile: VERIFY_CLIENT,
  logLevel: 'error',
});

/**
 * The verify-client Worker, bound to the Worker under test's KeygateVerifier entrypoint: the plugin
 * runs that Worker as "vitest-plugin-runner-<project>", which is the name a binding must give.
 */
function verifyClient(project: string) {
  return {
    name: 'verify-client',
    modules: true,
    scriptPath: VERIFY_CLIENT,
    compatibilityDate: '2026-11-01',
    serviceBindings: { KEYGATE: { name: `vitest-plugin-runner-${project}`, entrypoint: 'KeygateVerifier' } },
  };
}

/** A project that runs in workerd with wrangler.toml's Worker; `extra` adds bindings. */
function workersProject(name: string, include: string[], exclude: string[], extra: (inject: Inject) => Record<string, string>) {
  return {
    extends: true,
    plugins: [
      cloudflareTest(({ inject }) => ({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          bindings: {
            ORIGIN_URL: `http://127.0.0.1:${inject('originPort')}`,
            // wrangler.toml's example upstream (npm start's reports origin) is the fake origin here too.
            UPSTREAMS: JSON.stringify({ reports: { url: `http://127.0.0.1:${inject('originPort')}` } }),
            // The fake origin is on loopback, which the Worker accepts only in local development.
            LOCAL_DEV: 'true',
            ADMIN_TOKEN: TEST_ADMIN_TOKEN,
            // Each call's usage is flushed with the call, so a test reads exact counts at once;
            // the batching tests set their own intervals.
            USAGE_FLUSH_MS: '0',
            // No background refresh of the change feed: each test call waits for its waitUntil work
            // (waitOnExecutionContext), which the loop would hold for 25 s. The multi-isolate tests
            // (test/e2e/edge.e2e.test.ts) run with it.
            FEED_KEEP_FRESH_MS: '0',
            // Unsigned unless a test signs: a developer's .dev.vars (npm start) holds a signing key.
            ORIGIN_SIGNING_KEY: '',
            ...extra(inject as Inject),
          },
          // A Worker upstream (UPSTREAMS { "service": "TOOLS" }), as wrangler.toml's [[services]] would bind one;
          // and the verifier's client Worker (KeygateVerifier over a service binding).
          serviceBindings: { TOOLS: 'tools-upstream', VERIFY_CLIENT: 'verify-client' },
          workers: [
            { name: 'tools-upstream', modules: true, scriptPath: './test/workers/upstream-worker.js', compatibilityDate: '2026-11-01' },
            verifyClient(name),
          ],
        },
      })),
    ],
    test: { name, globalSetup: ['./test/global-setup.ts'], include, exclude },
  };
}

export default defineConfig({
  test: {
    testTimeout: 30_000,
    projects: [
      workersProject('workers', ['test/**/*.test.ts'], ['test/e2e/**', 'test/webhooks/**', 'test/cli/**'], () => ({})),
      workersProject('webhooks', ['test/webhooks/**/*.test.ts'], [], (inject) => ({
        WEBHOOK_URL: `http://127.0.0.1:${inject('receiverPort')}/hooks`,
        WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
        // Four attempts, 300 ms, 600 ms and 900 ms apart, then dead.
        WEBHOOK_RETRY_DELAYS_MS: '300,600,900',
      })),
      {
        extends: true,
        test: {
          name: 'cli',
          environment: 'node',
          include: ['test/cli/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.e2e.test.ts'],
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
