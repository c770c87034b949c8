// Tests run in workerd through @cloudflare/vitest-plugin: real KV and Durable Objects from
// miniflare, the Worker configured from wrangler.toml, and a real fake origin in Node.

import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
// wrangler's config reader checks [secrets].required against process.env.
process.env.ADMIN_TOKEN ??= TEST_ADMIN_TOKEN;

export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          ORIGIN_URL: `http://127.0.0.1:${inject('originPort')}`,
          ADMIN_TOKEN: TEST_ADMIN_TOKEN,
        },
      },
    })),
  ],
  test: {
    globalSetup: ['./test/global-setup.ts'],
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
