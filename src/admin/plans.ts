// Admin: plans — named bundles of rate limits, quota, credits and scopes, per project. A key or
// customer that holds a plan takes each of these from it where it has none of its own; changing a
// plan republishes every key that takes limits from it (the change feed brings them to every
// isolate within the revocation bound), and this isolate applies them at once.

import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env';
import { ApiError } from '../errors/problems';
import { registry } from '../objects/registry/client';
import { encodeCursor } from '../objects/page';
import { Plan, PlanPage } from './responses';
import { adminRoute, json, jsonBody, planId, projectId } from './route';
import { listQuery, planCreate, planUpdate } from './schemas';
import { afterCursor, found } from './validate';
import { applyChanged, checkRoutes } from './limits';

export const plans = new OpenAPIHono<AppEnv>();

plans.openapi(
  adminRoute(
    {
      method: 'post',
      path: '/projects/{projectId}/plans',
      summary: 'Create a plan',
      request: { params: projectId, body: jsonBody(planCreate) },
      responses: { 201: json(Plan, 'The plan') },
    },
    [400, 404, 413, 415],
  ),
  async (c) => {
    const input = c.req.valid('json');
    checkRoutes(c, input.rateLimits);
    const plan = found(await registry(c.env).createPlan(c.req.valid('param').projectId, input, c.get('actor'), Date.now()), 'project');
    c.header('Location', `/_keygate/v1/plans/${plan.id}`);
    return c.json(plan, 201);
  },
);

plans.openapi(
  adminRoute(
    {
      method: 'get',
      path: '/projects/{projectId}/plans',
      summary: "List a project's plans",
      request: { params: projectId, query: listQuery },
      responses: { 200: json(PlanPage, 'A page of plans') },
    },
    [400, 404],
  ),
  async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const page = found(await registry(c.env).listPlans(c.req.valid('param').projectId, limit, afterCursor(cursor)), 'project');
    return c.json({ items: page.items, nextCursor: encodeCursor(page.nextAfter) }, 200);
  },
);

plans.openapi(
  adminRoute(
    {
      method: 'get',
      path: '/plans/{planId}',
      summary: 'Get a plan',
      request: { params: planId },
      responses: { 200: json(Plan, 'The plan') },
    },
    [404],
  ),
  async (c) => c.json(found(await registry(c.env).getPlan(c.req.valid('param').planId), 'plan'), 200),
);

plans.openapi(
  adminRoute(
    {
      method: 'patch',
      path: '/plans/{planId}',
      summary: "Change a plan: every holder's limits follow within the revocation bound",
      request: { params: planId, body: jsonBody(planUpdate) },
      responses: { 200: json(Plan, 'The plan') },
    },
    [400, 404, 413, 415],
  ),
  async (c) => {
    const input = c.req.valid('json');
    checkRoutes(c, input.rateLimits);
    const now = Date.now();
    const result = found(await registry(c.env).updatePlan(c.req.valid('param').planId, input, c.get('actor'), now), 'plan');
    applyChanged(result.changed, now);
    return c.json(result.view, 200);
  },
);

plans.openapi(
  adminRoute(
    {
      method: 'delete',
      path: '/plans/{planId}',
      summary: 'Delete a plan that no key or customer holds',
      request: { params: planId },
      responses: { 204: { description: 'Deleted' } },
    },
    [404, 409],
  ),
  async (c) => {
    const result = found(await registry(c.env).deletePlan(c.req.valid('param').planId, c.get('actor'), Date.now()), 'plan');
    if (result === 'in-use')
      throw new ApiError('conflict', { detail: 'Keys or customers hold this plan; move them to another plan first' });
    return c.body(null, 204);
  },
);
