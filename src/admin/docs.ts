// The admin API's description: /_keygate/openapi.json and a Swagger UI page at /_keygate/docs whose
// files keygate serves itself (Workers static assets), with a CSP that allows nothing from elsewhere.

import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env';
import { refuse } from '../step';
import { openApiDocument } from './openapi';

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export const docs = new Hono<AppEnv>();

docs.get('/openapi.json', (c) => {
  c.header('Cache-Control', 'no-store');
  c.header('X-Content-Type-Options', 'nosniff');
  return c.json(openApiDocument());
});

async function asset(c: Context<AppEnv>, path: string): Promise<Response> {
  if (!c.env.ASSETS) return refuse(c, 'not-found', { detail: 'The docs page assets are not deployed' });
  const res = await c.env.ASSETS.fetch(new URL(path, c.req.url));
  if (res.status !== 200) return refuse(c, 'not-found');
  const headers = new Headers(res.headers);
  headers.set('Content-Security-Policy', CSP);
  headers.set('X-Content-Type-Options', 'nosniff');
  headers.set('Cache-Control', 'no-cache');
  return new Response(res.body, { status: 200, headers });
}

docs.get('/docs', (c) => asset(c, '/_keygate/docs/index.html'));
docs.get('/docs/', (c) => asset(c, '/_keygate/docs/index.html'));
// Literal paths only: a pattern route would push Hono off its RegExpRouter for every request.
for (const file of ['init.js', 'vendor/swagger-ui-bundle.js', 'vendor/swagger-ui.css']) {
  docs.get(`/docs/${file}`, (c) => asset(c, `/_keygate/docs/${file}`));
}
