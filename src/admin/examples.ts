// Real examples for the OpenAPI document — a project, a key, a usage answer, an error — instead of
// Swagger UI's `"string"` and `additionalProp1`. Each is typed as the input of the schema it shows,
// so it cannot drift from the contract (the OpenAPI e2e test also validates each against the
// document); route.ts sets it as the `example` of every media type that uses the schema.

import type { z, ZodType } from 'zod';
import { version } from '../../package.json';
import { PROBLEM_PAGES, PROBLEMS, type ProblemType } from '../errors/problems';
import * as answers from './responses';
import * as inputs from './schemas';
import { MAX_ADMIN_BODY } from './validate';
import { VerifyInput } from '../verify/input';

const EXAMPLES = new Map<ZodType, unknown>();

function example<S extends ZodType>(schema: S, value: z.input<S>): z.input<S> {
  EXAMPLES.set(schema, value);
  return value;
}

/** The example of a request or answer schema, if it has one. */
export function exampleOf(schema: ZodType): unknown {
  return EXAMPLES.get(schema);
}

const PROJECT_ID = 'prj_4kPBgDsZ1kFHqE0b7Hh9';
const KEY_ID = 'key_Utnq2HabpJcz4hLZZGel';
const PLAN_ID = 'pln_Hh9Utnq2HabpJcz4hLZZ';
const CUSTOMER_ID = 'cus_9xQ2HabpJcz4hLZZGelU';
const AT = '2026-11-28T09:14:07.512Z';
const REQUEST_ID = '8f1c2a7e-4b3d-4e8a-9c61-2f0d5b7a9e14';

const project = example(answers.Project, {
  id: PROJECT_ID,
  name: 'clinic app',
  description: 'The clinic’s patient web app',
  metadata: { team: 'care' },
  createdAt: AT,
  updatedAt: AT,
});
example(answers.ProjectPage, { items: [project], nextCursor: null });
example(inputs.projectCreate, { name: 'clinic app', description: 'The clinic’s patient web app', metadata: { team: 'care' } });
example(inputs.projectUpdate, { description: 'Patient web app and kiosk' });

const burst = { name: 'burst', limit: 100, windowSeconds: 10 };
const quota = { limit: 50_000, period: 'month' as const, remaining: 48_213 };
const key = example(answers.Key, {
  id: KEY_ID,
  projectId: PROJECT_ID,
  name: 'web app',
  start: '3xKq9TzB1mWd',
  environment: 'live',
  scopes: ['forms:read', 'forms:write'],
  status: 'active',
  exposed: false,
  exposedReason: null,
  createdAt: AT,
  updatedAt: AT,
  expiresAt: '2027-11-28T00:00:00.000Z',
  lastUsedAt: '2026-12-02T07:41:53.000Z',
  revokedAt: null,
  rotatedFrom: null,
  rotatedTo: null,
  customerId: null,
  planId: null,
  rateLimits: [burst],
  quota,
  credits: null,
  effective: { rateLimits: [burst], quota, credits: null },
  ipAllowlist: [],
  metadata: { owner: 'web team' },
});
example(answers.KeyPage, { items: [key], nextCursor: null });
example(answers.KeyCreated, { key: 'kg_live_3xKq9TzB1mWd7Lr2VpQs8NcYfH4jGa0EoUiTk5', ...key });
example(inputs.keyCreate, {
  name: 'web app',
  scopes: ['forms:read', 'forms:write'],
  environment: 'live',
  expiresAt: '2027-11-28T00:00:00Z',
  rateLimits: [burst],
  quota: { limit: 50_000, period: 'month' },
  metadata: { owner: 'web team' },
});
example(inputs.keyUpdate, { scopes: ['forms:read'], expiresAt: null });
example(inputs.keyRotate, { gracePeriodSeconds: 3600 });

const credits = { initial: 1000, refill: { period: 'month' as const, mode: 'to' as const, amount: 1000 } };
example(answers.Plan, {
  id: PLAN_ID,
  projectId: PROJECT_ID,
  name: 'pro',
  scopes: ['forms:read'],
  rateLimits: [burst],
  quota: { limit: 100_000, period: 'day' },
  credits,
  createdAt: AT,
  updatedAt: AT,
});
example(answers.PlanPage, { items: [exampleOf(answers.Plan) as z.input<typeof answers.Plan>], nextCursor: null });
example(inputs.planCreate, { name: 'pro', scopes: ['forms:read'], rateLimits: [burst], quota: { limit: 100_000, period: 'day' }, credits });
example(inputs.planUpdate, { quota: { limit: 200_000, period: 'day' } });

const customerQuota = { limit: 100_000, period: 'day' as const, remaining: 99_120 };
const customer = example(answers.Customer, {
  id: CUSTOMER_ID,
  projectId: PROJECT_ID,
  externalId: 'acme-42',
  name: 'Acme',
  metadata: { tier: 'gold' },
  planId: PLAN_ID,
  rateLimits: [],
  quota: null,
  credits: null,
  effective: { rateLimits: [burst], quota: customerQuota, credits: { ...credits, balance: 640 } },
  createdAt: AT,
  updatedAt: AT,
});
example(answers.CustomerPage, { items: [customer], nextCursor: null });
example(inputs.customerCreate, { externalId: 'acme-42', name: 'Acme', metadata: { tier: 'gold' }, planId: PLAN_ID });
example(inputs.customerUpdate, { name: 'Acme Inc' });
example(inputs.creditsChange, { add: 500 });
example(answers.CreditBalance, { balance: 1140 });

example(answers.AuditPage, {
  items: [
    {
      seq: 41,
      at: AT,
      actor: 'adm_5e0c9b2f71a4',
      action: 'key.create',
      target: KEY_ID,
      changes: { projectId: PROJECT_ID, name: 'web app', scopes: ['forms:read', 'forms:write'] },
      hash: '9b4f0c3a7d2e61f8a5b0c9d4e3f2a1b0c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2',
    },
  ],
  nextCursor: null,
  chain: { verified: true, entries: 41, brokenAt: null },
});

const hour = (h: number) => `2026-12-02T0${h}:00:00.000Z`;
example(answers.Usage, {
  keyId: KEY_ID,
  projectId: PROJECT_ID,
  from: hour(5),
  to: hour(8),
  granularity: 'hour',
  groupBy: 'outcome',
  total: 1229,
  byOutcome: { allowed: 1180, 'rate-limited': 42, 'insufficient-scope': 7 },
  byStatus: { '2xx': 1163, '4xx': 66 },
  denials: { 'rate-limited': 42, 'insufficient-scope': 7 },
  series: [
    { start: hour(5), total: 301, groups: { allowed: 301 } },
    { start: hour(6), total: 512, groups: { allowed: 470, 'rate-limited': 42 } },
    { start: hour(7), total: 416, groups: { allowed: 409, 'insufficient-scope': 7 } },
  ],
  topRoutes: [
    { route: 'GET /forms/:id', count: 1012 },
    { route: 'POST /forms', count: 217 },
  ],
  topKeys: [{ keyId: KEY_ID, count: 1229 }],
});

example(answers.RequestLogPage, {
  items: [
    {
      at: '2026-12-02T07:41:53.204Z',
      requestId: REQUEST_ID,
      keyId: KEY_ID,
      method: 'GET',
      path: '/forms/1842',
      route: 'GET /forms/:id',
      status: 200,
      latencyMs: 38,
      clientIp: '203.0.113.24',
      country: 'CH',
      userAgent: 'clinic-app/2.3 (iOS 18.1)',
      outcome: 'allowed',
    },
  ],
  nextCursor: null,
});

const delivery = example(answers.Delivery, {
  id: 'msg_2ZpQk0b7Hh9Utnq2HabpJcz4',
  type: 'key.revoked',
  status: 'dead',
  attempts: 4,
  createdAt: AT,
  nextAttemptAt: null,
  lastAttemptAt: '2026-11-28T09:15:52.000Z',
  lastStatus: 503,
  lastError: null,
  deliveredAt: null,
  payload: { type: 'key.revoked', timestamp: AT, data: { keyId: KEY_ID, projectId: PROJECT_ID } },
});
example(answers.DeliveryPage, { items: [delivery], nextCursor: null });

example(answers.Version, { version });

/** The problem answered with `status`, as an admin route answers it. */
const PROBLEM_OF_STATUS: Record<number, ProblemType> = {
  400: 'validation-failed',
  401: 'unauthorized',
  404: 'not-found',
  409: 'conflict',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  429: 'too-many-failures',
  503: 'admin-disabled',
};

const PROBLEM_DETAIL: Record<number, string> = {
  404: 'No such key',
  409: 'The key is revoked',
  413: `At most ${MAX_ADMIN_BODY} bytes`,
  503: 'Set the ADMIN_TOKEN secret (at least 16 characters) to use the admin API',
};

/** A problem+json answer of an admin route with `status` (of `type`, where a route answers another than the usual one). */
export function problemExample(status: number, type = PROBLEM_OF_STATUS[status] as ProblemType): z.input<typeof answers.Problem> {
  const detail = type === PROBLEM_OF_STATUS[status] ? PROBLEM_DETAIL[status] : undefined;
  return {
    type: `${PROBLEM_PAGES}/${type}`,
    title: PROBLEMS[type].title,
    status,
    ...(detail ? { detail } : {}),
    requestId: REQUEST_ID,
    ...(status === 400 ? { errors: [{ path: 'scopes.0', message: 'must be "resource:action", "resource:*" or "!resource:action"' }] } : {}),
  };
}

const TOKEN_ID = 'vtk_Q2HabpJcz4hLZZGelU9x';
const verifyToken = example(answers.VerifyToken, {
  id: TOKEN_ID,
  projectId: PROJECT_ID,
  name: 'envoy at the edge',
  start: 'kgvt_7Hq2Lm9',
  status: 'active',
  createdAt: AT,
  revokedAt: null,
});
example(answers.VerifyTokenCreated, { token: 'kgvt_7Hq2Lm9PxV4cR8sT1uW3yZ5aB6dE0fG2hJ4kN6pQ', ...verifyToken });
example(answers.VerifyTokenPage, { items: [verifyToken], nextCursor: null });
example(inputs.verifyTokenCreate, { name: 'envoy at the edge' });
example(VerifyInput, { key: 'kg_live_3xKq9TzB1mWd7Lr2VpQs8NcYfH4jGa0EoUiTk5', method: 'GET', path: '/forms/1', clientIp: '203.0.113.7' });
example(answers.VerifyResult, {
  valid: true,
  code: 'allowed',
  keyId: KEY_ID,
  projectId: PROJECT_ID,
  environment: 'live',
  scopes: ['forms:read', 'forms:write'],
  ratelimit: { policies: [{ policy: 'burst', window: 10, limit: 100, remaining: 97, reset: 6 }], retryAfter: null },
  requestId: REQUEST_ID,
  refusal: null,
});
example(answers.Traffic, {
  keyId: KEY_ID,
  customerId: null,
  projectId: PROJECT_ID,
  from: hour(5),
  to: hour(8),
  granularity: 'hour',
  sampled: 412,
  latency: [
    { start: hour(5), count: 160, p50: 38, p95: 91, p99: 140 },
    { start: hour(6), count: 252, p50: 41, p95: 97, p99: 188 },
    { start: hour(7), count: 0, p50: null, p95: null, p99: null },
  ],
  clientIps: [
    { value: '203.0.113.7', count: 390 },
    { value: '198.51.100.23', count: 22 },
  ],
  countries: [
    { value: 'DE', count: 398 },
    { value: 'unknown', count: 14 },
  ],
  userAgents: [
    { value: 'clinic-app/3.2 (iOS 18)', count: 377 },
    { value: '(none)', count: 35 },
  ],
});
