// Pages keygate serves from its own Workers static assets (the docs page, the dashboard): literal
// paths only, each answer with the page's CSP and headers that keep it from leaking or being framed.

import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import { refuse } from '../edge/step';

export interface PagePolicy {
  /** The page's Content-Security-Policy: nothing from other origins, no inline scripts. */
  csp: string;
  /** Cache-Control of the HTML entry page (the other files are revalidated on every use). */
  htmlCache: string;
}

/** The asset at `path` (absolute, under public/) with `policy`'s headers, or 404. */
export async function servePage(c: Context<AppEnv>, path: string, policy: PagePolicy): Promise<Response> {
  if (!c.env.ASSETS) return refuse(c, 'not-found', { detail: 'The page assets are not deployed' });
  const res = await c.env.ASSETS.fetch(new URL(path, c.req.url));
  if (res.status !== 200) return refuse(c, 'not-found');
  const headers = new Headers(res.headers);
  headers.set('Content-Security-Policy', policy.csp);
  headers.set('X-Content-Type-Options', 'nosniff');
  headers.set('Referrer-Policy', 'no-referrer');
  headers.set('Cache-Control', path.endsWith('.html') ? policy.htmlCache : 'no-cache');
  return new Response(res.body, { status: 200, headers });
}
