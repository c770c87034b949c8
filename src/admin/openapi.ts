// The OpenAPI 3.1 document of the admin API, generated from the same zod schemas the handlers
// validate with (schemas.ts) and answer with (responses.ts). Served at /_keygate/openapi.json.
// A test checks that every route here exists in the app and every admin route is here.

import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { ZodType } from 'zod';
import {
  AuditPage,
  Delivery,
  DeliveryPage,
  Key,
  KeyCreated,
  KeyPage,
  Problem,
  Project,
  ProjectPage,
  RequestLogPage,
  Usage,
} from './responses';
import {
  deliveryListQuery,
  keyCreate,
  keyListQuery,
  keyRotate,
  keyUpdate,
  listQuery,
  projectCreate,
  projectUpdate,
  usageQuery,
} from './schemas';

type Method = 'get' | 'post' | 'patch' | 'delete';

const PROBLEMS: Record<number, string> = {
  400: 'Invalid input (`errors[]` names each field)',
  401: 'No or wrong admin token',
  404: 'No such project, key or delivery',
  409: 'The change conflicts with the current state (a revoked key never changes; only a dead delivery is retried)',
  413: 'Body over 64 KiB',
  415: 'The body is not JSON',
  503: 'The admin API is not configured (no ADMIN_TOKEN)',
};

const projectId = z.object({ projectId: z.string().openapi({ example: 'prj_4kPBgDsZ1kFHqE0b7Hh9' }) });
const deliveryId = z.object({ deliveryId: z.string().openapi({ example: 'msg_2ZpQk0b7Hh9Utnq2HabpJcz4' }) });
const keyId = z.object({ keyId: z.string().openapi({ example: 'key_Utnq2HabpJcz4hLZZGel' }) });

interface Operation {
  method: Method;
  path: string;
  summary: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: ZodType;
  ok: [status: 200 | 201 | 204, schema: ZodType | null, description: string];
  problems: number[];
}

export const OPERATIONS: Operation[] = [
  {
    method: 'post',
    path: '/projects',
    summary: 'Create a project',
    body: projectCreate,
    ok: [201, Project, 'The project'],
    problems: [400, 413, 415],
  },
  {
    method: 'get',
    path: '/projects',
    summary: 'List projects',
    query: listQuery,
    ok: [200, ProjectPage, 'A page of projects'],
    problems: [400],
  },
  {
    method: 'get',
    path: '/projects/{projectId}',
    summary: 'Get a project',
    params: projectId,
    ok: [200, Project, 'The project'],
    problems: [404],
  },
  {
    method: 'patch',
    path: '/projects/{projectId}',
    summary: 'Change a project',
    params: projectId,
    body: projectUpdate,
    ok: [200, Project, 'The project'],
    problems: [400, 404, 413, 415],
  },
  {
    method: 'delete',
    path: '/projects/{projectId}',
    summary: 'Delete a project and revoke all its keys',
    params: projectId,
    ok: [204, null, 'Deleted'],
    problems: [404],
  },
  {
    method: 'post',
    path: '/projects/{projectId}/keys',
    summary: 'Create a key (the plaintext is in this answer only)',
    params: projectId,
    body: keyCreate,
    ok: [201, KeyCreated, 'The key, with its plaintext'],
    problems: [400, 404, 413, 415],
  },
  {
    method: 'get',
    path: '/projects/{projectId}/keys',
    summary: "List a project's keys",
    params: projectId,
    query: keyListQuery,
    ok: [200, KeyPage, 'A page of keys'],
    problems: [400, 404],
  },
  { method: 'get', path: '/keys/{keyId}', summary: 'Get a key', params: keyId, ok: [200, Key, 'The key'], problems: [404] },
  {
    method: 'patch',
    path: '/keys/{keyId}',
    summary: 'Change a key (name, scopes, expiry, enabled, IP allowlist, metadata)',
    params: keyId,
    body: keyUpdate,
    ok: [200, Key, 'The key'],
    problems: [400, 404, 409, 413, 415],
  },
  {
    method: 'post',
    path: '/keys/{keyId}/revoke',
    summary: 'Revoke a key (permanent)',
    params: keyId,
    ok: [200, Key, 'The revoked key'],
    problems: [404],
  },
  {
    method: 'post',
    path: '/keys/{keyId}/rotate',
    summary: 'Rotate a key: a new key now, the old one until the grace period ends',
    params: keyId,
    body: keyRotate,
    ok: [201, KeyCreated, 'The new key, with its plaintext'],
    problems: [400, 404, 409, 413, 415],
  },
  {
    method: 'get',
    path: '/keys/{keyId}/usage',
    summary: 'A key’s usage: counts over time, by outcome, status and route',
    params: keyId,
    query: usageQuery,
    ok: [200, Usage, 'The key’s usage'],
    problems: [400, 404],
  },
  {
    method: 'get',
    path: '/keys/{keyId}/requests',
    summary: 'A key’s recent requests, newest first (7 days, bounded)',
    params: keyId,
    query: listQuery,
    ok: [200, RequestLogPage, 'A page of requests'],
    problems: [400, 404],
  },
  {
    method: 'get',
    path: '/projects/{projectId}/usage',
    summary: 'A project’s usage, with its top keys and routes',
    params: projectId,
    query: usageQuery,
    ok: [200, Usage, 'The project’s usage'],
    problems: [400, 404],
  },
  {
    method: 'get',
    path: '/usage',
    summary: 'The whole gateway’s usage, including refusals of calls without a known key',
    query: usageQuery,
    ok: [200, Usage, 'The gateway’s usage'],
    problems: [400],
  },
  {
    method: 'get',
    path: '/audit',
    summary: 'The audit log, oldest first, with the verification of its hash chain',
    query: listQuery,
    ok: [200, AuditPage, 'A page of audit entries'],
    problems: [400],
  },
  {
    method: 'get',
    path: '/webhooks/deliveries',
    summary: 'Webhook deliveries, oldest first: pending (with their next attempt), delivered, dead',
    query: deliveryListQuery,
    ok: [200, DeliveryPage, 'A page of deliveries'],
    problems: [400],
  },
  {
    method: 'post',
    path: '/webhooks/deliveries/{deliveryId}/retry',
    summary: 'Queue a dead delivery again, with the same webhook-id',
    params: deliveryId,
    ok: [200, Delivery, 'The delivery, pending again'],
    problems: [404, 409],
  },
];

function route(op: Operation) {
  const [status, schema, description] = op.ok;
  const responses: Record<number, { description: string; content?: Record<string, { schema: ZodType }> }> = {
    [status]: schema === null ? { description } : { description, content: { 'application/json': { schema } } },
  };
  for (const code of [...op.problems, 401, 503]) {
    responses[code] = { description: PROBLEMS[code] as string, content: { 'application/problem+json': { schema: Problem } } };
  }
  return createRoute({
    method: op.method,
    path: op.path,
    summary: op.summary,
    operationId: `${op.method}${op.path.replace(/\{(\w+)\}/g, 'By_$1').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
    tags: [op.path.split('/')[1] as string],
    security: [{ adminToken: [] }],
    request: {
      ...(op.params ? { params: op.params } : {}),
      ...(op.query ? { query: op.query } : {}),
      ...(op.body ? { body: { required: true, content: { 'application/json': { schema: op.body } } } } : {}),
    },
    responses,
  });
}

let cached: unknown;

/** The document (built once per isolate). */
export function openApiDocument(): unknown {
  if (cached !== undefined) return cached;
  const builder = new OpenAPIHono();
  builder.openAPIRegistry.registerComponent('securitySchemes', 'adminToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'The ADMIN_TOKEN secret',
  });
  for (const op of OPERATIONS) builder.openAPIRegistry.registerPath(route(op));
  cached = builder.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'keygate admin API',
      version: '1.0.0',
      description: 'Projects, keys and the audit log of a keygate edge API-key authorizer. Errors are RFC 9457 problem+json.',
    },
    servers: [{ url: '/_keygate/v1', description: 'This keygate' }],
    tags: [
      { name: 'projects', description: 'The applications that call the API' },
      { name: 'keys', description: 'API keys: create, change, revoke, rotate' },
      { name: 'usage', description: 'Counts of every call through the gateway' },
      { name: 'audit', description: 'Every admin change, hash-chained' },
      { name: 'webhooks', description: 'Signed lifecycle webhooks: the delivery outbox' },
    ],
  });
  return cached;
}
