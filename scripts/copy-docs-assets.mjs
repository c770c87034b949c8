// Runs after `npm install`: copies Swagger UI's files from node_modules into public/_keygate/docs,
// so that the docs page is served by keygate itself (Workers static assets), never from a CDN.

import { copyFileSync, existsSync, mkdirSync } from 'node:fs';

const from = 'node_modules/swagger-ui-dist';
const to = 'public/_keygate/docs/vendor';
if (!existsSync(from)) {
  console.log('copy-docs-assets: swagger-ui-dist is not installed (production install?); docs page assets skipped');
  process.exit(0);
}
mkdirSync(to, { recursive: true });
for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css', 'LICENSE', 'NOTICE']) copyFileSync(`${from}/${file}`, `${to}/${file}`);
console.log(`copy-docs-assets: Swagger UI copied to ${to}`);
