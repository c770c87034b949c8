// Admin: analytics. Usage of a key, a project or the whole gateway over a bounded span, in minute,
// hour or day buckets, grouped by route, status class or outcome, with top routes and keys; and a
// key's recent requests. Reads first flush this isolate's own batch, then ask every usage shard.

import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env';
import { PROBLEMS, type ProblemType } from '../errors/problems';
import { registry } from '../objects/registry/client';
import { flushUsage } from '../edge/usage-recorder';
import { readRequests, readUsage } from '../objects/usage/client';
import { BUCKET_MS, RETENTION_MS, type Granularity, type RequestFilter, type UsageFilter } from '../objects/usage/types';
import { RequestLogPage, Usage } from './responses';
import { adminRoute, customerId, json, keyId, projectId } from './route';
import { requestListQuery, usageQuery, type UsageQueryInput } from './schemas';
import type { z } from '@hono/zod-openapi';
import { found, invalid } from './validate';

const DEFAULT_SPAN_MS: Record<Granularity, number> = { minute: 3_600_000, hour: 86_400_000, day: 30 * 86_400_000 };
const MAX_SPAN_MS: Record<Granularity, number> = { minute: 86_400_000, hour: 31 * 86_400_000, day: 400 * 86_400_000 };
const SPAN_WORDS: Record<Granularity, string> = { minute: '24 hours', hour: '31 days', day: '400 days' };
const KEPT_WORDS: Record<Granularity, string> = { minute: '2 days', hour: '40 days', day: '400 days' };
const TOP = 10;
/** Per shard: enough keys that the merged top list is exact for any realistic gateway. */
const KEYS_PER_SHARD = 10_000;

/** The validated, bucket-aligned range of a usage query. */
export function usageRange(input: { from?: string; to?: string; granularity: Granularity }, now: number): { from: number; to: number } {
  const size = BUCKET_MS[input.granularity];
  const toRaw = input.to === undefined ? now : Date.parse(input.to);
  const fromRaw = input.from === undefined ? toRaw - DEFAULT_SPAN_MS[input.granularity] : Date.parse(input.from);
  if (toRaw > now + size) throw invalid('to', 'must not be in the future');
  if (fromRaw >= toRaw) throw invalid('from', 'must be before to');
  const from = fromRaw - (((fromRaw % size) + size) % size);
  const to = Math.ceil(toRaw / size) * size;
  if (to - from > MAX_SPAN_MS[input.granularity]) {
    throw invalid('from', `${input.granularity} buckets span at most ${SPAN_WORDS[input.granularity]}`);
  }
  if (from < now - RETENTION_MS[input.granularity] - size) {
    throw invalid('from', `${input.granularity} buckets are kept ${KEPT_WORDS[input.granularity]}; use a coarser granularity`);
  }
  return { from, to };
}

function isDenial(outcome: string): boolean {
  const problem = PROBLEMS[outcome as ProblemType] as { status: number } | undefined;
  return problem !== undefined && (outcome === 'auth-unavailable' || (problem.status >= 400 && problem.status < 500));
}

function top(counts: Record<string, number>): [string, number][] {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, TOP);
}

/** The usage answer for `filter` over the validated query `input`. */
async function answerUsage(env: AppEnv['Bindings'], input: UsageQueryInput, filter: UsageFilter, projectId: string | null) {
  const { from, to } = usageRange(input, Date.now());
  await flushUsage(env);
  const { granularity, groupBy } = input;
  const usage = await readUsage(env, { ...filter, granularity, groupBy, from, to, topKeys: KEYS_PER_SHARD });
  const size = BUCKET_MS[granularity];
  const buckets = new Map<number, { start: string; total: number; groups: Record<string, number> }>();
  for (let t = from; t < to; t += size) buckets.set(t, { start: new Date(t).toISOString(), total: 0, groups: {} });
  for (const point of usage.series) {
    const bucket = buckets.get(point.bucket);
    if (bucket === undefined) continue;
    const group = point.group === '' ? '(none)' : point.group;
    bucket.total += point.count;
    bucket.groups[group] = (bucket.groups[group] ?? 0) + point.count;
  }
  return {
    keyId: filter.keyId ?? null,
    projectId,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    granularity,
    groupBy,
    total: Object.values(usage.byOutcome).reduce((a, b) => a + b, 0),
    byOutcome: usage.byOutcome,
    byStatus: usage.byStatus,
    denials: Object.fromEntries(Object.entries(usage.byOutcome).filter(([outcome]) => isDenial(outcome))),
    series: [...buckets.values()],
    topRoutes: top(usage.routes).map(([route, count]) => ({ route: route === '' ? null : route, count })),
    topKeys: filter.keyId === undefined ? top(usage.keys).map(([keyId, count]) => ({ keyId, count })) : [],
  };
}

/** A request-log position as a cursor: base36 time and the request id's 32 hex digits. */
function encodeRequestCursor(at: number, requestId: string): string {
  return `${at.toString(36)}.${requestId.replace(/-/g, '')}`;
}

function decodeRequestCursor(cursor: string): { at: number; requestId: string } {
  const match = /^([0-9a-z]{1,11})\.([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})$/.exec(cursor);
  if (match === null) throw invalid('cursor', 'not a cursor this API issued');
  return { at: parseInt(match[1] as string, 36), requestId: match.slice(2).join('-') };
}

/** The request-log filter of a validated query (`route=-`: the calls that matched no route rule). */
function requestFilter(q: z.infer<typeof requestListQuery>): RequestFilter {
  const status = q.status === undefined ? {} : q.status.endsWith('xx') ? { statusClass: q.status } : { status: Number(q.status) };
  const time = (name: 'from' | 'to') => (q[name] === undefined ? {} : { [name]: Date.parse(q[name]) });
  return {
    ...status,
    ...(q.outcome === undefined ? {} : { outcome: q.outcome }),
    ...(q.route === undefined ? {} : { route: q.route === '-' ? '' : q.route }),
    ...time('from'),
    ...time('to'),
    ...(q.requestId === undefined ? {} : { requestId: q.requestId.toLowerCase() }),
  };
}

/** A page of the request log of one key, or of several (a customer's), with the next page's cursor. */
async function requestPage(env: AppEnv['Bindings'], query: z.infer<typeof requestListQuery>, keys: { keyId: string; keyIds?: string[] }) {
  const before = query.cursor === undefined ? null : decodeRequestCursor(query.cursor);
  await flushUsage(env);
  const { entries, more } = await readRequests(env, { ...keys, limit: query.limit, before, filter: requestFilter(query) });
  const last = entries[entries.length - 1];
  const items = entries.map((e) => ({
    at: new Date(e.at).toISOString(),
    requestId: e.requestId,
    keyId: e.keyId,
    method: e.method,
    path: e.path,
    route: e.route === '' ? null : e.route,
    status: e.status,
    latencyMs: e.latencyMs,
    clientIp: e.clientIp,
    country: e.country === '' ? null : e.country,
    userAgent: e.userAgent === '' ? null : e.userAgent,
    outcome: e.outcome,
  }));
  return { items, nextCursor: more && last !== undefined ? encodeRequestCursor(last.at, last.requestId) : null };
}

export const usage = new OpenAPIHono<AppEnv>();

usage.openapi(
  adminRoute(
    {
      method: 'get',
      path: '/keys/{keyId}/usage',
      summary: 'A key’s usage: counts over time, by outcome, status and route',
      request: { params: keyId, query: usageQuery },
      responses: { 200: json(Usage, 'The key’s usage') },
    },
    [400, 404],
  ),
  async (c) => {
    const key = found(await registry(c.env).getKey(c.req.valid('param').keyId, Date.now()), 'key');
    return c.json(await answerUsage(c.env, c.req.valid('query'), { keyId: key.id }, key.projectId), 200);
  },
);

usage.openapi(
  adminRoute(
    {
      method: 'get',
      path: '/keys/{keyId}/requests',
      summary: 'A key’s recent requests, newest first (7 days, bounded), optionally filtered by status, outcome, route, time or request id',
      request: { params: keyId, query: requestListQuery },
      responses: { 200: json(RequestLogPage, 'A page of requests') },
    },
    [400, 404],
  ),
  async (c) => {
    const key = found(await registry(c.env).getKey(c.req.valid('param').keyId, Date.now()), 'key');
    return c.json(await requestPage(c.env, c.req.valid('query'), { keyId: key.id }), 200);
  },
);

usage.openapi(
  adminRoute(
    {
      method: 'get',
      path: '/customers/{customerId}/usage',
      summary: 'A customer’s usage: all its keys’ calls (revoked keys included), with its top keys',
      request: { params: customerId, query: usageQuery },
      responses: { 200: json(Usage, 'The customer’s usage') },
    },
    [400, 404],
  ),
  async (c) => {
    const id = c.req.valid('param').customerId;
    const [customer, keyIds] = await Promise.all([registry(c.env).getCustomer(id), registry(c.env).customerKeyIds(id)]);
    const project = found(customer, 'customer').projectId;
    return c.json(await answerUsage(c.env, c.req.valid('query'), { keyIds: found(keyIds, 'customer') }, project), 200);
  },
);

usage.openapi(
  adminRoute(
    {
      method: 'get',
      path: '/customers/{customerId}/requests',
      summary: 'A customer’s recent requests, across its keys, newest first',
      request: { params: customerId, query: requestListQuery },
      responses: { 200: json(RequestLogPage, 'A page of requests') },
    },
    [400, 404],
  ),
  async (c) => {
    const keyIds = found(await registry(c.env).customerKeyIds(c.req.valid('param').customerId), 'customer');
    return c.json(await requestPage(c.env, c.req.valid('query'), { keyId: keyIds[0] ?? '', keyIds }), 200);
  },
);

usage.openapi(
  adminRoute(
    {
      method: 'get',
      path: '/projects/{projectId}/usage',
      summary: 'A project’s usage, with its top keys and routes',
      request: { params: projectId, query: usageQuery },
      responses: { 200: json(Usage, 'The project’s usage') },
    },
    [400, 404],
  ),
  async (c) => {
    const project = found(await registry(c.env).getProject(c.req.valid('param').projectId), 'project');
    return c.json(await answerUsage(c.env, c.req.valid('query'), { projectId: project.id }, project.id), 200);
  },
);

usage.openapi(
  adminRoute(
    {
      method: 'get',
      path: '/usage',
      summary: 'The whole gateway’s usage, including refusals of calls without a known key',
      request: { query: usageQuery },
      responses: { 200: json(Usage, 'The gateway’s usage') },
    },
    [400],
  ),
  async (c) => c.json(await answerUsage(c.env, c.req.valid('query'), {}, null), 200),
);
