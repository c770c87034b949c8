// The admin API's contract: the OpenAPI document describes exactly the routes the app serves, and
// the docs page is served by keygate itself with no outside resources.

import { describe, expect, it } from 'vitest';
import { version } from '../package.json';
import { app } from '../src/app';
import { adminCall, createKey, createProject } from './helpers/admin';
import { ADMIN_TOKEN, expectProblem, gateway } from './helpers/gateway';
import type { FieldError } from '../src/errors/problems';

interface Doc {
  openapi: string;
  info: { version: string };
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

  it("follows package.json's version (info.version), which GET /version also answers", async () => {
    const doc = (await (await gateway('/_keygate/openapi.json')).json()) as Doc;
    expect(doc.info.version).toBe(version);
    const res = await adminCall('GET', '/version');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ version });
  });

  it('shows a real example for every request body and every answer, errors included (not "string")', async () => {
    type Media = Record<string, { example?: unknown }>;
    type Operation = { requestBody?: { content: Media }; responses: Record<string, { content?: Media }> };
    const doc = (await (await gateway('/_keygate/openapi.json')).json()) as { paths: Record<string, Record<string, Operation>> };
    const missing: string[] = [];
    let examples = 0;
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        const media = [
          ...Object.entries(op.requestBody?.content ?? {}).map(([type, m]) => [`request ${type}`, m] as const),
          ...Object.entries(op.responses).flatMap(([status, r]) =>
            Object.entries(r.content ?? {}).map(([type, m]) => [`${status} ${type}`, m] as const),
          ),
        ];
        for (const [what, m] of media) {
          if (m.example === undefined) missing.push(`${method} ${path} ${what}`);
          else examples++;
        }
        const success = Object.keys(op.responses).find((s) => s.startsWith('2'));
        if (success !== '204') expect(op.responses[success!]?.content?.['application/json']?.example, `${method} ${path}`).toBeDefined();
      }
    }
    expect(missing).toEqual([]);
    expect(examples).toBeGreaterThan(100);
    const key = doc.paths['/keys/{keyId}']!.get!.responses['200']!.content!['application/json']!.example as {
      id: string;
      scopes: string[];
    };
    expect(key.id).toMatch(/^key_[0-9A-Za-z]{20}$/);
    expect(key.scopes).toEqual(['forms:read', 'forms:write']);
    const notFound = doc.paths['/keys/{keyId}']!.get!.responses['404']!.content!['application/problem+json']!.example;
    expect(notFound).toMatchObject({ type: '/_keygate/problems/not-found', title: 'Not found', status: 404 });
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

describe('route validation', () => {
  const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const send = (method: string, path: string, headers: Record<string, string>, body?: string) =>
    gateway(`/_keygate/v1${path}`, { method, headers: { ...auth, ...headers }, body });

  it('reads a body as JSON only: any JSON media type, an empty body as {}; anything else 415, never a fault', async () => {
    const key = await createKey();
    expect((await send('POST', `/keys/${key.id}/rotate`, {})).status).toBe(201);
    const successor = (await createKey({}, key.projectId)).id;
    expect((await send('POST', `/keys/${successor}/rotate`, { 'content-type': 'application/json' }, '')).status).toBe(201);
    expect((await send('POST', '/projects', { 'content-type': 'application/json; charset=utf-8' }, '{"name":"a"}')).status).toBe(201);
    expect((await send('POST', '/projects', { 'content-type': 'application/merge-patch+json' }, '{"name":"b"}')).status).toBe(201);
    await expectProblem(await send('POST', '/projects', { 'content-type': 'text/plain' }, ''), 'unsupported-media-type', 415);
    await expectProblem(await send('POST', '/projects', {}, ' '), 'unsupported-media-type', 415);
  });

  it('names each bad field, a __proto__ key or parameter, and a repeated parameter', async () => {
    const paths = async (res: Response) => ((await expectProblem(res, 'validation-failed', 400)).errors as FieldError[]).map((e) => e.path);
    const projectId = await createProject();
    expect((await paths(await adminCall('PATCH', `/projects/${projectId}`, { name: '', colour: 'red' }))).sort()).toEqual([
      'colour',
      'name',
    ]);
    const proto = await send('PATCH', `/projects/${projectId}`, { 'content-type': 'application/json' }, '{"metadata":{"__proto__":"x"}}');
    expect(await paths(proto)).toEqual(['metadata.__proto__']);
    expect(await paths(await adminCall('GET', '/projects?__proto__=1'))).toEqual(['__proto__']);
    expect(await paths(await adminCall('GET', '/projects?limit=1&limit=2'))).toEqual(['limit']);
  });
});

describe('docs page', () => {
  it('is served by keygate with its assets, under a CSP that allows nothing from elsewhere', async () => {
    const page = await gateway('/_keygate/docs');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self'/);
    // What the page loads (scripts, stylesheets); its one link goes to the dashboard.
    const refs = [...html.matchAll(/(?:src|<link [^>]*href)="([^"]+)"/g)]
      .map((m) => m[1] as string)
      .filter((ref) => !ref.startsWith('data:'));
    expect([...html.matchAll(/<a href="([^"]+)"/g)].map((m) => m[1])).toEqual(['/_keygate/ui']);
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
