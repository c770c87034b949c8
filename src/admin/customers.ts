// Admin: customers — the owner's own customers (externalId), each with any number of keys that
// share its limits, quota and credits (one limiter counts them all: the customer's). Changing a
// customer republishes its keys; deleting one revokes them.

import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env';
import { ApiError } from '../errors/problems';
import { registry } from '../objects/registry/client';
import { encodeCursor } from '../objects/page';
import type { Duplicate } from '../objects/registry/holder-service';
import type { HolderRefusal } from '../objects/registry/holders';
import { Customer, CustomerPage } from './responses';
import { adminRoute, customerId, json, jsonBody, projectId } from './route';
import { customerCreate, customerUpdate, listQuery } from './schemas';
import { afterCursor, found } from './validate';
import { applyChanged, checkRoutes, customerWithReadings, refused } from './limits';

export const customers = new OpenAPIHono<AppEnv>();

/** The registry's answer, or its problem: 404, 400 naming the field, 409 for a taken external id. */
function accepted<T extends object>(value: T | Duplicate | null, what = 'customer'): Exclude<T, HolderRefusal> {
  if (value === 'duplicate') throw new ApiError('conflict', { detail: 'Another customer of this project has this externalId' });
  return refused(found(value, what));
}

customers.openapi(
  adminRoute(
    {
      method: 'post',
      path: '/projects/{projectId}/customers',
      summary: 'Create a customer',
      request: { params: projectId, body: jsonBody(customerCreate) },
      responses: { 201: json(Customer, 'The customer') },
    },
    [400, 404, 409, 413, 415],
  ),
  async (c) => {
    const input = c.req.valid('json');
    checkRoutes(c, input.rateLimits);
    const result = await registry(c.env).createCustomer(c.req.valid('param').projectId, input, c.get('actor'), Date.now());
    const view = accepted(result, 'project');
    c.header('Location', `/_keygate/v1/customers/${view.id}`);
    return c.json(await customerWithReadings(c, view), 201);
  },
);

customers.openapi(
  adminRoute(
    {
      method: 'get',
      path: '/projects/{projectId}/customers',
      summary: "List a project's customers",
      request: { params: projectId, query: listQuery },
      responses: { 200: json(CustomerPage, 'A page of customers') },
    },
    [400, 404],
  ),
  async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const page = found(await registry(c.env).listCustomers(c.req.valid('param').projectId, limit, afterCursor(cursor)), 'project');
    const items = await Promise.all(page.items.map((view) => customerWithReadings(c, view)));
    return c.json({ items, nextCursor: encodeCursor(page.nextAfter) }, 200);
  },
);

customers.openapi(
  adminRoute(
    {
      method: 'get',
      path: '/customers/{customerId}',
      summary: 'Get a customer, with its exact quota remaining and credit balance',
      request: { params: customerId },
      responses: { 200: json(Customer, 'The customer') },
    },
    [404],
  ),
  async (c) => {
    const view = found(await registry(c.env).getCustomer(c.req.valid('param').customerId), 'customer');
    return c.json(await customerWithReadings(c, view), 200);
  },
);

customers.openapi(
  adminRoute(
    {
      method: 'patch',
      path: '/customers/{customerId}',
      summary: 'Change a customer (its keys follow within the revocation bound; a plan change keeps what was spent)',
      request: { params: customerId, body: jsonBody(customerUpdate) },
      responses: { 200: json(Customer, 'The customer') },
    },
    [400, 404, 409, 413, 415],
  ),
  async (c) => {
    const input = c.req.valid('json');
    checkRoutes(c, input.rateLimits);
    const now = Date.now();
    const result = accepted(await registry(c.env).updateCustomer(c.req.valid('param').customerId, input, c.get('actor'), now));
    applyChanged(result.changed, now);
    return c.json(await customerWithReadings(c, result.view), 200);
  },
);

customers.openapi(
  adminRoute(
    {
      method: 'delete',
      path: '/customers/{customerId}',
      summary: 'Delete a customer and revoke all its keys',
      request: { params: customerId },
      responses: { 204: { description: 'Deleted' } },
    },
    [404],
  ),
  async (c) => {
    const now = Date.now();
    const revoked = found(await registry(c.env).deleteCustomer(c.req.valid('param').customerId, c.get('actor'), now), 'customer');
    applyChanged(revoked, now);
    return c.body(null, 204);
  },
);
