// The admin API as tests use it: through the real entry point, with the test ADMIN_TOKEN.

import { expect } from 'vitest';
import { ADMIN_TOKEN, gateway, type Overrides } from './gateway';

export async function adminCall(
  method: string,
  path: string,
  body?: unknown,
  overrides: Overrides = {},
  token = ADMIN_TOKEN,
): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return gateway(`/_keygate/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }, overrides);
}

export async function adminJson<T = Record<string, unknown>>(method: string, path: string, body?: unknown, expectStatus = 200): Promise<T> {
  const res = await adminCall(method, path, body);
  const text = await res.text();
  expect(res.status, text).toBe(expectStatus);
  return JSON.parse(text) as T;
}

export interface CreatedKey {
  key: string;
  id: string;
  projectId: string;
  status: string;
  [field: string]: unknown;
}

export async function createProject(name = 'test project'): Promise<string> {
  const project = await adminJson<{ id: string }>('POST', '/projects', { name }, 201);
  return project.id;
}

/** A project with one key of the given shape. */
export async function createKey(fields: Record<string, unknown> = {}, projectId?: string): Promise<CreatedKey> {
  const project = projectId ?? (await createProject());
  return adminJson<CreatedKey>(
    'POST',
    `/projects/${project}/keys`,
    { name: 'test key', scopes: ['forms:read', 'forms:write'], ...fields },
    201,
  );
}
