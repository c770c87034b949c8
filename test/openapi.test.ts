// The admin API's contract: the OpenAPI document describes exactly the routes the app serves, and
// the docs page is served by keygate itself with no outside resources.

import { describe, expect, it } from 'vitest';
import { app } from '../src/app';
import { gateway } from './helpers/gateway';

interface Doc {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, unknown> };
}

describe('OpenAPI document', () => {
  it('is served at /_keygate/openapi.json as OpenAPI 3.1', async () => {
    const res = await gateway('/_keygate/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = (await res.json()) as Doc;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['Project', 'Key', 'KeyCreated', 'KeyCreate', 'Problem', 'AuditPage']),
    );
  });

  it('describes a problem type as the URI of its page, which keygate serves', async () => {
    const doc = (await (await gateway('/_keygate/openapi.json')).json()) as Doc;
    const type = (doc.components.schemas.Problem as { properties: { type: { format: string; example: string } } }).properties.type;
    expect(type.format).toBe('uri-reference');
    expect((await gateway(type.example)).status).toBe(200);
  });

  it('documents every admin route the app serves, and no route it does not serve', async () => {
    const doc = (await (await gateway('/_keygate/openapi.json')).json()) as Doc;
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} /_keygate/v1${path.replace(/\{(\w+)\}/g, ':$1')}`))
      .sort();
    // One entry per handler: a route's validators are listed beside it, hence the Set.
    const served = [
      ...new Set(
        app.routes
          .filter((r) => r.path.startsWith('/_keygate/v1/') && r.method !== 'ALL' && !r.path.includes('/bench/'))
          .map((r) => `${r.method} ${r.path}`),
      ),
    ].sort();
    expect(documented).toEqual(served);
  });
});

describe('docs page', () => {
  it('is served by keygate with its assets, under a CSP that allows nothing from elsewhere', async () => {
    const page = await gateway('/_keygate/docs');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self'/);
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string).filter((ref) => !ref.startsWith('data:'));
    expect(refs.length).toBeGreaterThanOrEqual(3);
    for (const ref of refs) {
      expect(ref.startsWith('/_keygate/docs/'), ref).toBe(true);
      const asset = await gateway(ref);
      expect(asset.status, ref).toBe(200);
      expect((await asset.text()).length).toBeGreaterThan(50);
    }
    expect((await gateway('/_keygate/docs/vendor/../../v1/projects')).status).not.toBe(200);
    expect((await gateway('/_keygate/docs/other.js')).status).toBe(404);
  });
});
