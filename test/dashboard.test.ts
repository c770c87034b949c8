// The dashboard at /_keygate/ui: served by keygate itself from Workers static assets, only on its
// literal paths, under a strict CSP (no inline script or style, nothing from elsewhere).

import { describe, expect, it } from 'vitest';
import { app } from '../src/app';
import { UI_CSP } from '../src/admin/ui';
import { gateway } from './helpers/gateway';

const STRICT_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

describe('dashboard', () => {
  it('serves the page with a strict CSP, no-store, nosniff and no referrer', async () => {
    expect(UI_CSP).toBe(STRICT_CSP);
    for (const path of ['/_keygate/ui', '/_keygate/ui/']) {
      const page = await gateway(path);
      expect(page.status, path).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('content-security-policy')).toBe(STRICT_CSP);
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
      expect(page.headers.get('referrer-policy')).toBe('no-referrer');
      const html = await page.text();
      expect(html).toContain('<main id="main">');
      // No inline script or style: every script has a src, and no style attribute or element.
      expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
      expect(html).not.toMatch(/<style|\sstyle=/);
    }
  });

  it('serves its script and stylesheet from keygate only, with the same headers', async () => {
    const html = await (await gateway('/_keygate/ui')).text();
    const refs = [...html.matchAll(/(?:src|href)="([^"#]+)"/g)].map((m) => m[1] as string).filter((ref) => !ref.startsWith('data:'));
    expect(refs.sort()).toEqual(['/_keygate/ui/app.css', '/_keygate/ui/app.js']);
    const js = await gateway('/_keygate/ui/app.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(js.headers.get('content-security-policy')).toBe(STRICT_CSP);
    const code = await js.text();
    // Chart.js is bundled in (no CDN), and the app never writes HTML from data.
    expect(code).toMatch(/Chart\.js v4/);
    expect(code).not.toMatch(/https?:\/\/(?!www\.chartjs\.org|github\.com)[a-z]/i);
    expect(code).not.toContain('innerHTML=');
    const css = await gateway('/_keygate/ui/app.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
  });

  it('answers 404 for any other path under /_keygate/ui', async () => {
    for (const path of ['/_keygate/ui/index.html', '/_keygate/ui/other.js', '/_keygate/ui/vendor/app.js', '/_keygate/uix']) {
      expect((await gateway(path)).status, path).toBe(404);
    }
  });

  it('registers literal paths only, so Hono keeps its RegExpRouter', () => {
    const paths = app.routes.filter((r) => r.path.startsWith('/_keygate/ui')).map((r) => r.path);
    expect(paths.length).toBeGreaterThanOrEqual(4);
    for (const path of paths) expect(path, path).toMatch(/^[\w/.-]+$/);
  });
});
