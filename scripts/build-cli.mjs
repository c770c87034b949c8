// Builds the CLI (cli/*.ts) into bin/keygate.mjs, the package's `bin`: plain ESM for Node ≥ 20,
// dependencies left as imports from node_modules. Run by `npm install`/`npm ci` (prepare) and by
// the CLI tests, so the bin always matches the source.

import { chmodSync } from 'node:fs';
import { build } from 'esbuild';

const outfile = 'bin/keygate.mjs';
await build({
  entryPoints: ['cli/main.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});
chmodSync(outfile, 0o755);
