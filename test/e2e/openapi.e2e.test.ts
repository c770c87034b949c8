// The OpenAPI document against reality: Redocly's linter finds nothing, and every documented
// operation is called on the deploy bundle with each answer checked against the document's schema.

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { version } from '../../package.json';
import { E2E_ADMIN_TOKEN, startStack, type KeygateServer, type Stack } from './keygate-server';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

type Responses = Record<string, { content?: Record<string, { schema: object }> }>;
interface Doc {
  paths: Record<string, Record<string, { responses: Responses }>>;
}

let stack: Stack;
let keygate: KeygateServer;
let dir: string;
let doc: Doc;
/** A webhook endpoint that always fails, so deliveries go dead and can be retried. */
let hooks: Server;

beforeAll(async () => {
  hooks = createServer((_req, res) => res.writeHead(500).end());
  await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
  stack = await startStack({
    WEBHOOK_URL: `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hooks`,
    WEBHOOK_SECRET: 'whsec_ZTJlLXdlYmhvb2stc2VjcmV0LTAxMjM0NTY3ODlhYg==',
    WEBHOOK_RETRY_DELAYS_MS: '0',
  });
  keygate = stack.keygate;
  dir = stack.dir;
  doc = (await (await fetch(`${keygate.url}/_keygate/openapi.json`)).json()) as Doc;
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  hooks?.closeAllConnections();
  hooks?.close();
});

describe('e2e: OpenAPI', () => {
  it('lints clean with Redocly (recommended rules)', () => {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    const { NODE_TLS_REJECT_UNAUTHORIZED: _tls, ...childEnv } = process.env;
    const run = spawnSync('redocly', ['lint', file, '--format=stylish'], { encoding: 'utf8', env: childEnv });
    const out = `${run.stdout}${run.stderr}`;
    expect(run.status, out).toBe(0);
    expect(out).toMatch(/Your API description is valid/);
    expect(out).not.toMatch(/warning/i);
  });

  it('every example in the document is valid against its schema (the docs page shows them)', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(doc as object, 'doc');
    type Media = Record<string, { example?: unknown }>;
    const ops = doc.paths as unknown as Record<
      string,
      Record<string, { requestBody?: { content: Media }; responses: Record<string, { content?: Media }> }>
    >;
    let checked = 0;
    for (const [path, operations] of Object.entries(ops)) {
      for (const [method, op] of Object.entries(operations)) {
        const pointer = `doc#/paths/${path.replace(/\//g, '~1')}/${method}`;
        const media = [
          ...Object.entries(op.requestBody?.content ?? {}).map(
            ([type, m]) => [`${pointer}/requestBody/content/${type.replace(/\//g, '~1')}`, m] as const,
          ),
          ...Object.entries(op.responses).flatMap(([status, r]) =>
            Object.entries(r.content ?? {}).map(
              ([type, m]) => [`${pointer}/responses/${status}/content/${type.replace(/\//g, '~1')}`, m] as const,
            ),
          ),
        ];
        for (const [ref, m] of media) {
          if (m.example === undefined) continue;
          const validate = ajv.getSchema(`${ref}/schema`)!;
          expect(validate(m.example), `${ref}: ${JSON.stringify(validate.errors)}`).toBe(true);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('every documented operation answers as documented', async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(doc as object, 'doc');
    const exercised = new Set<string>();

    async function call(
      method: string,
      template: string,
      params: Record<string, string>,
      body?: unknown,
      init: { token?: string | null; contentType?: string; query?: string } = {},
    ) {
      const path = template.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? 'missing') + (init.query ?? '');
      const headers: Record<string, string> = {};
      if (init.token !== null) headers.authorization = `Bearer ${init.token ?? E2E_ADMIN_TOKEN}`;
      if (body !== undefined) headers['content-type'] = init.contentType ?? 'application/json';
      const res = await fetch(`${keygate.url}/_keygate/v1${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const op = doc.paths[template]?.[method.toLowerCase()];
      expect(op, `${method} ${template} is documented`).toBeDefined();
      const documented = op?.responses[String(res.status)];
      expect(documented, `${method} ${template} → ${res.status} is documented`).toBeDefined();
      const type = (res.headers.get('content-type') ?? '').split(';')[0] as string;
      const text = await res.text();
      const media = documented?.content?.[type];
      if (documented?.content === undefined) expect(text).toBe('');
      else {
        expect(media, `${method} ${template} → ${res.status} ${type} is documented`).toBeDefined();
        const ref = `${method} ${template} ${res.status}`;
        const validate = ajv.compile({
          $ref: `doc#/paths/${encodeURIComponent(template.replace(/~/g, '~0').replace(/\//g, '~1'))}/${method.toLowerCase()}/responses/${res.status}/content/${encodeURIComponent(type.replace(/\//g, '~1'))}/schema`,
        });
        const body = JSON.parse(text) as unknown;
        expect(validate(body), `${ref}: ${JSON.stringify(validate.errors)}`).toBe(true);
      }
      exercised.add(`${method.toLowerCase()} ${template} ${res.status}`);
      return text ? (JSON.parse(text) as Record<string, unknown>) : {};
    }

    const project = await call('POST', '/projects', {}, { name: 'conformance', metadata: { team: 'qa' } });
    const p = { projectId: String(project.id) };
    await call('GET', '/projects', {});
    await call('GET', '/projects/{projectId}', p);
    await call('GET', '/projects/{projectId}', { projectId: 'prj_missing' });
    await call('PATCH', '/projects/{projectId}', p, { description: 'checked' });
    await call('PATCH', '/projects/{projectId}', p, { name: '' });
    const key = await call('POST', '/projects/{projectId}/keys', p, {
      name: 'k',
      scopes: ['forms:read'],
      rateLimits: [{ name: 'minute', limit: 60, windowSeconds: 60 }],
      quota: { limit: 1000, period: 'month' },
    });
    const k = { keyId: String(key.id) };
    await call('POST', '/projects/{projectId}/keys', p, 'name=x', { contentType: 'text/plain' });
    await call('POST', '/projects/{projectId}/keys', p, { name: 'x', scopes: [], description: 'y'.repeat(70_000) });
    await call('GET', '/projects/{projectId}/keys', p);
    await call('GET', '/projects/{projectId}/keys', p, undefined, { token: null });
    await call('GET', '/keys/{keyId}', k);
    await call('PATCH', '/keys/{keyId}', k, { name: 'renamed' });
    const rotated = await call('POST', '/keys/{keyId}/rotate', k, { gracePeriodSeconds: 30 });
    await call('POST', '/keys/{keyId}/revoke', { keyId: String(rotated.id) });
    await call('PATCH', '/keys/{keyId}', { keyId: String(rotated.id) }, { enabled: true });
    await call('POST', '/keys/{keyId}/rotate', { keyId: String(rotated.id) }, {});
    // A call through the gateway, so the usage answers carry data.
    await fetch(`${keygate.url}/forms`, { headers: { authorization: `Bearer ${String(key.key)}` } });
    await call('GET', '/keys/{keyId}/usage', k, undefined, { query: '?granularity=minute&groupBy=route' });
    await call('GET', '/keys/{keyId}/usage', k, undefined, { query: '?granularity=fortnight' });
    await call('GET', '/keys/{keyId}/requests', k, undefined, { query: '?limit=5' });
    await call('GET', '/keys/{keyId}/requests', { keyId: 'key_missing' });
    await call('GET', '/keys/{keyId}/requests', k, undefined, { query: '?status=2xx&outcome=allowed&route=-' });
    await call('GET', '/keys/{keyId}/requests', k, undefined, { query: '?status=99' });
    await call('GET', '/keys/{keyId}/usage', k, undefined, { query: '?groupBy=result' });
    await call('GET', '/keys/{keyId}/traffic', k, undefined, { query: '?granularity=minute' });
    await call('GET', '/projects/{projectId}/usage', p);
    await call('GET', '/projects/{projectId}/traffic', p);
    await call('GET', '/usage', {}, undefined, { query: '?granularity=day' });
    // Plans, customers, their credits and usage (issue 16).
    const plan = await call('POST', '/projects/{projectId}/plans', p, { name: 'free', quota: { limit: 100, period: 'day' } });
    const pl = { planId: String(plan.id) };
    await call('POST', '/projects/{projectId}/plans', p, { name: 'bad', quota: { limit: 0, period: 'day' } });
    await call('GET', '/projects/{projectId}/plans', p);
    await call('GET', '/plans/{planId}', pl);
    await call('PATCH', '/plans/{planId}', pl, { quota: { limit: 200, period: 'day' } });
    const customer = await call('POST', '/projects/{projectId}/customers', p, {
      externalId: 'acme-1',
      name: 'Acme',
      planId: plan.id,
      credits: { initial: 10, refill: { period: 'month', mode: 'by', amount: 10 } },
    });
    const c = { customerId: String(customer.id) };
    await call('POST', '/projects/{projectId}/customers', p, { externalId: 'acme-1', name: 'again' });
    await call('GET', '/projects/{projectId}/customers', p);
    await call('GET', '/customers/{customerId}', c);
    await call('PATCH', '/customers/{customerId}', c, { name: 'Acme Inc' });
    const ofCustomer = await call('POST', '/projects/{projectId}/keys', p, { name: 'c', scopes: ['forms:read'], customerId: customer.id });
    await fetch(`${keygate.url}/forms`, { headers: { authorization: `Bearer ${String(ofCustomer.key)}` } });
    await call('POST', '/customers/{customerId}/credits', c, { add: 5 });
    await call('POST', '/keys/{keyId}/credits', { keyId: String(ofCustomer.id) }, { set: 3 });
    await call('POST', '/keys/{keyId}/credits', k, { set: 3 });
    await call('GET', '/customers/{customerId}/usage', c, undefined, { query: '?granularity=minute' });
    await call('GET', '/customers/{customerId}/requests', c);
    await call('GET', '/customers/{customerId}/traffic', c, undefined, { query: '?granularity=day' });
    await call('DELETE', '/plans/{planId}', pl);
    await call('DELETE', '/customers/{customerId}', c);
    await call('PATCH', '/customers/{customerId}', c, { name: 'gone' });
    const unused = await call('POST', '/projects/{projectId}/plans', p, { name: 'unused' });
    await call('DELETE', '/plans/{planId}', { planId: String(unused.id) });
    await call('GET', '/audit', {});
    const served = await call('GET', '/version', {});
    expect(served.version).toBe(version);
    // The events above fail twice each (500, one retry) and go dead.
    let dead: { items?: { id: string }[] } = {};
    for (let i = 0; i < 100 && (dead.items?.length ?? 0) === 0; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 100));
      dead = await call('GET', '/webhooks/deliveries', {}, undefined, { query: '?status=dead&limit=5' });
    }
    await call('POST', '/webhooks/deliveries/{deliveryId}/retry', { deliveryId: String(dead.items?.[0]?.id) });
    await call('POST', '/webhooks/deliveries/{deliveryId}/retry', { deliveryId: 'msg_missing' });
    await call('GET', '/webhooks/deliveries', {}, undefined, { query: '?status=lost' });
    // Verify tokens and the HTTP verifier (issue 17): the verifier's credential is a verify token.
    const vt = await call('POST', '/projects/{projectId}/verify-tokens', p, { name: 'gateway' });
    await call('POST', '/projects/{projectId}/verify-tokens', { projectId: 'prj_missing' }, { name: 'x' });
    await call('GET', '/projects/{projectId}/verify-tokens', p);
    await call('POST', '/verify', {}, { key: String(key.key), method: 'GET', path: '/forms' }, { token: String(vt.token) });
    await call('POST', '/verify', {}, { key: 1, path: 'forms' }, { token: String(vt.token) });
    await call('POST', '/verify', {}, { key: '', path: '/forms' }, { token: E2E_ADMIN_TOKEN });
    await call('POST', '/verify-tokens/{tokenId}/revoke', { tokenId: String(vt.id) });
    await call('DELETE', '/projects/{projectId}', p);

    const successes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => `${method} ${path} ${Object.keys(op.responses).find((s) => s.startsWith('2'))}`),
    );
    for (const success of successes) expect(exercised, success).toContain(success);
    expect([...exercised].filter((e) => /\s4\d\d$/.test(e)).length).toBeGreaterThanOrEqual(6);
  });
});
