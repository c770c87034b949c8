// Admin: projects — the applications that call the API, each with its own keys. Deleting a project
// revokes every key it has.

import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env';
import { applyEdgeRecord } from '../edge/verify-key';
import { memory } from '../edge/memory';
import { registry } from '../objects/registry/client';
import { encodeCursor } from '../objects/page';
import { Project, ProjectPage } from './responses';
import { adminRoute, json, jsonBody, projectId } from './route';
import { listQuery, projectCreate, projectUpdate } from './schemas';
import { afterCursor, found } from './validate';

export const projects = new OpenAPIHono<AppEnv>();

projects.openapi(
  adminRoute(
    {
      method: 'post',
      path: '/projects',
      summary: 'Create a project',
      request: { body: jsonBody(projectCreate) },
      responses: { 201: json(Project, 'The project') },
    },
    [400, 413, 415],
  ),
  async (c) => {
    const project = await registry(c.env).createProject(c.req.valid('json'), c.get('actor'), Date.now());
    c.header('Location', `/_keygate/v1/projects/${project.id}`);
    return c.json(project, 201);
  },
);

projects.openapi(
  adminRoute(
    {
      method: 'get',
      path: '/projects',
      summary: 'List projects',
      request: { query: listQuery },
      responses: { 200: json(ProjectPage, 'A page of projects') },
    },
    [400],
  ),
  async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const page = await registry(c.env).listProjects(limit, afterCursor(cursor));
    return c.json({ items: page.items, nextCursor: encodeCursor(page.nextAfter) }, 200);
  },
);

projects.openapi(
  adminRoute(
    {
      method: 'get',
      path: '/projects/{projectId}',
      summary: 'Get a project',
      request: { params: projectId },
      responses: { 200: json(Project, 'The project') },
    },
    [404],
  ),
  async (c) => c.json(found(await registry(c.env).getProject(c.req.valid('param').projectId), 'project'), 200),
);

projects.openapi(
  adminRoute(
    {
      method: 'patch',
      path: '/projects/{projectId}',
      summary: 'Change a project',
      request: { params: projectId, body: jsonBody(projectUpdate) },
      responses: { 200: json(Project, 'The project') },
    },
    [400, 404, 413, 415],
  ),
  async (c) => {
    const change = await registry(c.env).updateProject(c.req.valid('param').projectId, c.req.valid('json'), c.get('actor'), Date.now());
    return c.json(found(change, 'project'), 200);
  },
);

projects.openapi(
  adminRoute(
    {
      method: 'delete',
      path: '/projects/{projectId}',
      summary: 'Delete a project with its customers and plans, and revoke all its keys and verify tokens',
      request: { params: projectId },
      responses: { 204: { description: 'Deleted' } },
    },
    [404],
  ),
  async (c) => {
    const now = Date.now();
    const deleted = found(await registry(c.env).deleteProject(c.req.valid('param').projectId, c.get('actor'), now), 'project');
    for (const { hash, record } of deleted.keys) applyEdgeRecord(hash, record, now, now);
    // Like a single revocation: this isolate refuses its tokens from the next call.
    for (const hash of deleted.verifyTokenHashes) memory.verifyTokens.delete(hash);
    return c.body(null, 204);
  },
);
