// Builds keygate for the edge harness and the multi-isolate tests: the entry of a source tree (this
// checkout, or a git ref checked out beside it) wrapped by shim-lib.js, so that every binding call
// has its injected delay and count. This bundle exists only here; `npm run build`/`wrangler deploy`
// never include the shim.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bundleForWorkerd } from '../lib.mjs';

const SHIM_LIB = resolve('bench/edge/shim-lib.js');

/**
 * The Durable Object classes and entry of `root`, wrapped. `objects`: binding → { className }, as
 * in that tree's scripts/durable-objects.mjs.
 */
export async function buildEdgeBundle(root, objects, outDir, name) {
  mkdirSync(outDir, { recursive: true });
  const entry = JSON.stringify(resolve(root, 'src/index.ts'));
  const lib = JSON.stringify(SHIM_LIB);
  const classes = [...new Set(Object.values(objects).map((o) => o.className))];
  const source = [
    `import * as real from ${entry};`,
    `import { wrapEnv, edgeRequest, controlResponse } from ${lib};`,
    `export { EdgeLocationCache } from ${lib};`,
    ...classes.map(
      (c) =>
        `export class ${c} extends real.${c} { constructor(ctx, env) { super(ctx, wrapEnv(env, ctx.id.name ?? ${JSON.stringify(c)})); } }`,
    ),
    `export default {`,
    `  fetch(request, env, ctx) {`,
    `    if (new URL(request.url).pathname.startsWith('/__edge/')) return controlResponse(request);`,
    `    return real.default.fetch(edgeRequest(request, env), wrapEnv(env), ctx);`,
    `  },`,
    `};`,
  ].join('\n');
  const shim = join(outDir, `${name}-entry.js`);
  writeFileSync(shim, source);
  return bundleForWorkerd(shim, join(outDir, `${name}.js`));
}

/** `ref` checked out beside this checkout (its sources resolve this node_modules); removed by the returned function. */
export function checkoutRef(ref) {
  const dir = resolve('.bench-edge-ref');
  if (existsSync(dir)) execFileSync('git', ['worktree', 'remove', '--force', dir], { stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
  execFileSync('git', ['worktree', 'add', '--detach', dir, ref], { stdio: 'ignore' });
  return { dir, remove: () => execFileSync('git', ['worktree', 'remove', '--force', dir], { stdio: 'ignore' }) };
}
