// Admin: projects — the applications that call the API, each with its own keys. Deleting a project
// revokes every key it has.

import { Hono } from 'hono';
import type { AppEnv } from '../app-env';
import { ApiError } from '../errors/problems';
import { applyEdgeRecord } from '../edge/verify-key';
import { registry } from '../objects/registry/client';
import { decodeCursor, encodeCursor } from '../objects/page';
import { invalid, jsonBody, query } from './validate';
import { listQuery, projectCreate, projectUpdate } from './schemas';

export const projects = new Hono<AppEnv>();

/** The registry's seq for a cursor, or 400. */
export function afterCursor(cursor: string | undefined): number {
  const after = decodeCursor(cursor);
  if (after === null) throw invalid('cursor', 'not a cursor this API issued');
  return after;
}

/** `value`, or 404 naming what was not found. */
export function found<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new ApiError('not-found', { detail: `No such ${what}` });
  return value;
}

projects.post('/', async (c) => {
  const input = await jsonBody(c, projectCreate);
  const project = await registry(c.env).createProject(input, c.get('actor'), Date.now());
  c.header('Location', `/_keygate/v1/projects/${project.id}`);
  return c.json(project, 201);
});

projects.get('/', async (c) => {
  const { limit, cursor } = query(c, listQuery);
  const page = await registry(c.env).listProjects(limit, afterCursor(cursor));
  return c.json({ items: page.items, nextCursor: encodeCursor(page.nextAfter) });
});

projects.get('/:projectId', async (c) => {
  return c.json(found(await registry(c.env).getProject(c.req.param('projectId')), 'project'));
});

projects.patch('/:projectId', async (c) => {
  const input = await jsonBody(c, projectUpdate);
  return c.json(found(await registry(c.env).updateProject(c.req.param('projectId'), input, c.get('actor'), Date.now()), 'project'));
});

projects.delete('/:projectId', async (c) => {
  const now = Date.now();
  const revoked = found(await registry(c.env).deleteProject(c.req.param('projectId'), c.get('actor'), now), 'project');
  for (const { hash, record } of revoked) applyEdgeRecord(hash, record, now, now);
  return c.body(null, 204);
});
