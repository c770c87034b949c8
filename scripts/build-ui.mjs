// Builds the dashboard (ui/) into public/_keygate/ui: the TypeScript app bundled with Chart.js by
// esbuild (one ES module, no CDN), plus its page and stylesheet. Run by `npm install` (postinstall)
// and by wrangler before every deploy, dry run and `wrangler dev` ([build] in wrangler.toml).

import { copyFileSync, existsSync, mkdirSync } from 'node:fs';

const to = 'public/_keygate/ui';
let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  if (existsSync(`${to}/app.js`)) process.exit(0);
  console.error('build-ui: esbuild is not installed (production install?) and the dashboard was never built');
  process.exit(1);
}
mkdirSync(to, { recursive: true });
await esbuild.build({
  entryPoints: ['ui/main.ts'],
  outfile: `${to}/app.js`,
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  legalComments: 'eof',
  logLevel: 'warning',
});
for (const file of ['index.html', 'app.css']) copyFileSync(`ui/${file}`, `${to}/${file}`);
console.log(`build-ui: dashboard built into ${to}`);
