// The dashboard at /_keygate/ui: a small browser app (ui/, bundled with Chart.js into
// public/_keygate/ui by scripts/build-ui.mjs) that calls the admin API with the token the user
// typed. Served from Workers static assets under a CSP that allows only keygate's own files: no
// inline script or style, no eval, no other origin, no framing, no form posts.

import { Hono } from 'hono';
import type { AppEnv } from '../app-env';
import { servePage, type PagePolicy } from './static-page';

export const UI_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const POLICY: PagePolicy = { csp: UI_CSP, htmlCache: 'no-store' };

export const ui = new Hono<AppEnv>();

ui.get('/ui', (c) => servePage(c, '/_keygate/ui/index.html', POLICY));
ui.get('/ui/', (c) => servePage(c, '/_keygate/ui/index.html', POLICY));
// Literal paths only: a pattern route would push Hono off its RegExpRouter for every request.
for (const file of ['app.js', 'app.css']) {
  ui.get(`/ui/${file}`, (c) => servePage(c, `/_keygate/ui/${file}`, POLICY));
}
