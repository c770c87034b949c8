// Admin: credit balances. The balance lives in the limiter of the holder that meters it (a key's
// own, its rotation line's, or its customer's), so it is changed there, exactly, between decisions:
// `set` makes it the given amount, `add` adds (a negative amount takes away, never below 0).

import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import type { Credits } from '../core/key-record';
import { ApiError } from '../errors/problems';
import { returnMeterLeases } from '../edge/lease-holder';
import { forgetMeter } from '../edge/memory/limit-refusals';
import { limiter } from '../objects/limiter/client';
import { registry } from '../objects/registry/client';
import { CreditBalance } from './responses';
import { adminRoute, customerId, json, jsonBody, keyId } from './route';
import { creditsChange } from './schemas';
import { found } from './validate';

export const credits = new OpenAPIHono<AppEnv>();

async function adjust(c: Context<AppEnv>, meter: string, settings: Credits | null, change: { set?: number; add?: number }) {
  if (settings === null) throw new ApiError('conflict', { detail: 'No credits apply here: give the holder (or its plan) credits first' });
  await returnMeterLeases(c.env, meter);
  const balance = await limiter(c.env, meter).adjustCredits(settings, change, Date.now());
  forgetMeter(meter);
  return c.json({ balance }, 200);
}

credits.openapi(
  adminRoute(
    {
      method: 'post',
      path: '/keys/{keyId}/credits',
      summary: "Set or add to a key's credit balance (for a key of a customer: the customer's)",
      request: { params: keyId, body: jsonBody(creditsChange) },
      responses: { 200: json(CreditBalance, 'The balance') },
    },
    [400, 404, 409, 413, 415],
  ),
  async (c) => {
    const key = found(await registry(c.env).getKey(c.req.valid('param').keyId, Date.now()), 'key');
    return adjust(c, key.meter, key.effective.credits, c.req.valid('json'));
  },
);

credits.openapi(
  adminRoute(
    {
      method: 'post',
      path: '/customers/{customerId}/credits',
      summary: "Set or add to a customer's credit balance, shared by its keys",
      request: { params: customerId, body: jsonBody(creditsChange) },
      responses: { 200: json(CreditBalance, 'The balance') },
    },
    [400, 404, 409, 413, 415],
  ),
  async (c) => {
    const customer = found(await registry(c.env).getCustomer(c.req.valid('param').customerId), 'customer');
    return adjust(c, customer.id, customer.effective.credits, c.req.valid('json'));
  },
);
