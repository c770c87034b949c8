// Admin: traffic — latency percentiles over time and who is calling (top client IPs, countries and
// user agents) for a key, a customer or a project, from the request log (counters hold neither).
// A project's keys are those its counters saw in the span, so a quiet key costs nothing.

import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env';
import { summarizeTraffic } from '../core/traffic-summary';
import { flushUsage } from '../edge/usage-recorder';
import { registry } from '../objects/registry/client';
import { readSample, readUsage } from '../objects/usage/client';
import { BUCKET_MS } from '../objects/usage/types';
import { Traffic } from './responses';
import { adminRoute, customerId, json, keyId, projectId } from './route';
import { trafficQuery } from './schemas';
import { usageRange } from './usage';
import { found } from './validate';
import type { z } from '@hono/zod-openapi';

/** Entries each shard contributes: enough for stable percentiles, bounded for a project with many keys. */
const SAMPLE_PER_SHARD = 1_000;

type Owner = { keyId: string | null; customerId: string | null; projectId: string };

async function answerTraffic(env: AppEnv['Bindings'], input: z.infer<typeof trafficQuery>, owner: Owner, keyIds: string[] | null) {
  const { from, to } = usageRange(input, Date.now());
  await flushUsage(env);
  // The project's keys with calls in the span: its counters know them (one shard answer each).
  const ids =
    keyIds ??
    Object.keys(
      (await readUsage(env, { projectId: owner.projectId, granularity: input.granularity, groupBy: 'outcome', from, to, topKeys: 10_000 }))
        .keys,
    );
  const calls = ids.length ? await readSample(env, { keyIds: ids, from, to, limit: SAMPLE_PER_SHARD }) : [];
  const size = BUCKET_MS[input.granularity];
  return {
    ...owner,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    granularity: input.granularity,
    ...summarizeTraffic(calls, from, to, size),
  };
}

export const traffic = new OpenAPIHono<AppEnv>();

/** The GET route `path` (params `params`) answering the traffic of `whose`. */
function trafficRoute<const P extends string, const Q extends typeof keyId | typeof customerId | typeof projectId>(
  path: P,
  params: Q,
  whose: string,
) {
  return adminRoute(
    {
      method: 'get',
      path,
      summary: `${whose} traffic: latency percentiles over time and top client IPs, countries and user agents (from the request log)`,
      request: { params, query: trafficQuery },
      responses: { 200: json(Traffic, `${whose} traffic`) },
    },
    [400, 404],
  );
}

traffic.openapi(trafficRoute('/keys/{keyId}/traffic', keyId, 'A key’s'), async (c) => {
  const key = found(await registry(c.env).getKey(c.req.valid('param').keyId, Date.now()), 'key');
  const owner = { keyId: key.id, customerId: null, projectId: key.projectId };
  return c.json(await answerTraffic(c.env, c.req.valid('query'), owner, [key.id]), 200);
});

traffic.openapi(trafficRoute('/customers/{customerId}/traffic', customerId, 'A customer’s'), async (c) => {
  const id = c.req.valid('param').customerId;
  const [customer, keyIds] = await Promise.all([registry(c.env).getCustomer(id), registry(c.env).customerKeyIds(id)]);
  const owner = { keyId: null, customerId: id, projectId: found(customer, 'customer').projectId };
  return c.json(await answerTraffic(c.env, c.req.valid('query'), owner, found(keyIds, 'customer')), 200);
});

traffic.openapi(trafficRoute('/projects/{projectId}/traffic', projectId, 'A project’s'), async (c) => {
  const project = found(await registry(c.env).getProject(c.req.valid('param').projectId), 'project');
  const owner = { keyId: null, customerId: null, projectId: project.id };
  return c.json(await answerTraffic(c.env, c.req.valid('query'), owner, null), 200);
});
