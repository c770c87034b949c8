// What a client sends in a JSON object is stored exactly, or refused with a 400
// naming the field — never altered. `__proto__` is refused anywhere in an admin body (JSON.parse
// keeps it, every later copy would drop it); `constructor` and `prototype` as metadata keys too.
// Bodies are sent as raw text: JSON.stringify of an object literal cannot carry an own `__proto__`.

import { describe, expect, it } from 'vitest';
import { adminJson, createKey, createProject } from './helpers/admin';
import { ADMIN_TOKEN, expectProblem, gateway } from './helpers/gateway';

function raw(method: string, path: string, body: string): Promise<Response> {
  const headers = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
  return gateway(`/_keygate/v1${path}`, { method, headers, body });
}

async function expectRefused(res: Response, path: string): Promise<void> {
  const problem = await expectProblem(res, 'validation-failed', 400);
  expect(problem.errors).toEqual([{ path, message: expect.stringMatching(/reserved name/) }]);
}

describe('reserved names in admin bodies', () => {
  it('a key whose metadata has __proto__, constructor or prototype is refused, naming the field, and not created', async () => {
    const projectId = await createProject();
    const key = (metadata: string) => raw('POST', `/projects/${projectId}/keys`, `{"name":"k","scopes":[],"metadata":${metadata}}`);
    await expectRefused(await key('{"__proto__":"x"}'), 'metadata.__proto__');
    await expectRefused(await key('{"__proto__":"x","constructor":"y"}'), 'metadata.__proto__');
    await expectRefused(await key('{"constructor":"y"}'), 'metadata.constructor');
    await expectRefused(await key('{"a":"1","prototype":"z"}'), 'metadata.prototype');
    expect((await adminJson<{ items: unknown[] }>('GET', `/projects/${projectId}/keys`)).items).toEqual([]);
  });

  it('PATCH of a key or a project with a reserved metadata key is refused and changes nothing', async () => {
    const key = await createKey({ metadata: { app: 'ios' } });
    await expectRefused(await raw('PATCH', `/keys/${key.id}`, '{"metadata":{"__proto__":"x","app":"android"}}'), 'metadata.__proto__');
    await expectRefused(await raw('PATCH', `/keys/${key.id}`, '{"metadata":{"constructor":"y"}}'), 'metadata.constructor');
    expect(await adminJson('GET', `/keys/${key.id}`)).toMatchObject({ metadata: { app: 'ios' } });
    const projectId = await createProject();
    await expectRefused(await raw('PATCH', `/projects/${projectId}`, '{"metadata":{"__proto__":{"admin":"1"}}}'), 'metadata.__proto__');
    await expectRefused(await raw('POST', '/projects', '{"name":"p","metadata":{"prototype":"x"}}'), 'metadata.prototype');
    expect(await adminJson('GET', `/projects/${projectId}`)).toMatchObject({ metadata: {} });
  });

  it('__proto__ anywhere else in a body, or as a query parameter, is a 400 too', async () => {
    await expectRefused(await raw('POST', '/projects', '{"name":"p","__proto__":{"admin":true}}'), '__proto__');
    const key = await createKey();
    await expectRefused(await raw('POST', `/keys/${key.id}/rotate`, '{"__proto__":{"gracePeriodSeconds":5}}'), '__proto__');
    const rateLimits = '[{"name":"w","limit":5,"windowSeconds":60,"__proto__":{}}]';
    await expectRefused(await raw('PATCH', `/keys/${key.id}`, `{"rateLimits":${rateLimits}}`), 'rateLimits.0.__proto__');
    const listed = await gateway('/_keygate/v1/projects?__proto__=1', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const problem = await expectProblem(listed, 'validation-failed', 400);
    expect(problem.errors).toEqual([{ path: '__proto__', message: 'not a field of this request' }]);
  });

  it('names next to the reserved ones are stored exactly as sent', async () => {
    const metadata = { proto: 'a', __proto: 'b', Constructor: 'c', 'constructor.x': 'd', toString: 'e', hasOwnProperty: 'f' };
    const projectId = await createProject();
    const res = await raw('POST', `/projects/${projectId}/keys`, JSON.stringify({ name: 'k', scopes: [], metadata }));
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const stored = await adminJson<{ metadata: Record<string, string> }>('GET', `/keys/${id}`);
    expect(stored.metadata).toEqual(metadata);
    expect(Object.keys(stored.metadata)).toEqual(Object.keys(metadata));
  });
});
