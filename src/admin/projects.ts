// Admin: projects — the applications that call the API, each with its own keys.

import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { ApiError } from '../errors/problems';
import { decodeCursor, encodeCursor, registry } from '../registry/client';
import { jsonBody, query } from './validate';
import { listQuery, projectCreate } from './schemas';

export const projects = new Hono<AppEnv>();

/** The registry's seq for a cursor, or 400. */
export function afterCursor(cursor: string | undefined): number {
  const after = decodeCursor(cursor);
  if (after === null) throw new ApiError('validation-failed', { errors: [{ path: 'cursor', message: 'not a cursor this API issued' }] });
  return after;
}

projects.post('/', async (c) => {
  const input = await jsonBody(c, projectCreate);
  const project = await registry(c.env).createProject(input, Date.now());
  c.header('Location', `/_keygate/v1/projects/${project.id}`);
  return c.json(project, 201);
});

projects.get('/', async (c) => {
  const { limit, cursor } = query(c, listQuery);
  const page = await registry(c.env).listProjects(limit, afterCursor(cursor));
  return c.json({ items: page.items, nextCursor: encodeCursor(page.nextAfter) });
});

projects.get('/:projectId', async (c) => {
  const project = await registry(c.env).getProject(c.req.param('projectId'));
  if (project === null) throw new ApiError('not-found', { detail: 'No such project' });
  return c.json(project);
});
