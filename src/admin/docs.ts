// The admin API's description: /_keygate/openapi.json and a Swagger UI page at /_keygate/docs whose
// files keygate serves itself (Workers static assets), with a CSP that allows nothing from elsewhere.

import { Hono } from 'hono';
import type { AppEnv } from '../app-env';
import { openApiDocument } from './openapi';
import { servePage, type PagePolicy } from './static-page';

// Swagger UI sets style attributes, hence 'unsafe-inline' for styles (never for scripts).
const POLICY: PagePolicy = {
  csp: "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  htmlCache: 'no-cache',
};

export const docs = new Hono<AppEnv>();

docs.get('/openapi.json', (c) => {
  c.header('Cache-Control', 'no-store');
  c.header('X-Content-Type-Options', 'nosniff');
  return c.json(openApiDocument());
});

docs.get('/docs', (c) => servePage(c, '/_keygate/docs/index.html', POLICY));
docs.get('/docs/', (c) => servePage(c, '/_keygate/docs/index.html', POLICY));
// Literal paths only: a pattern route would push Hono off its RegExpRouter for every request.
for (const file of ['init.js', 'vendor/swagger-ui-bundle.js', 'vendor/swagger-ui.css']) {
  docs.get(`/docs/${file}`, (c) => servePage(c, `/_keygate/docs/${file}`, POLICY));
}
