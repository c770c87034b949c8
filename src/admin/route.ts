// An admin route's definition: its createRoute config is its validation and its entry in the OpenAPI
// document at once. adminRoute adds what every admin route shares: operationId and tag from the path,
// the admin token, the problem answers, and the readers that run before its body and query validators.

import { createRoute, z, type RouteConfig } from '@hono/zod-openapi';
import type { ZodType } from 'zod';
import { exampleOf, problemExample } from './examples';
import { Problem } from './responses';
import { readJsonBody, refuseProtoQuery } from './validate';

const PROBLEMS = {
  400: 'Invalid input (`errors[]` names each field)',
  401: 'No or wrong admin token',
  404: 'No such project, key, customer, plan or delivery',
  409: 'The change conflicts with the current state (a revoked key never changes; only a dead delivery is retried; an external id is taken; a plan is in use)',
  413: 'Body over 64 KiB',
  415: 'The body is not JSON',
  503: 'The admin API is not configured (no ADMIN_TOKEN)',
} as const;

type ProblemStatus = Exclude<keyof typeof PROBLEMS, 401 | 503>;
type ProblemAnswers<S extends ProblemStatus> = {
  [K in S | 401 | 503]: { description: string; content: { 'application/problem+json': { schema: typeof Problem } } };
};

export const projectId = z.object({ projectId: z.string().openapi({ example: 'prj_4kPBgDsZ1kFHqE0b7Hh9' }) });
export const deliveryId = z.object({ deliveryId: z.string().openapi({ example: 'msg_2ZpQk0b7Hh9Utnq2HabpJcz4' }) });
export const customerId = z.object({ customerId: z.string().openapi({ example: 'cus_9xQ2HabpJcz4hLZZGelU' }) });
export const planId = z.object({ planId: z.string().openapi({ example: 'pln_Hh9Utnq2HabpJcz4hLZZ' }) });
export const keyId = z.object({ keyId: z.string().openapi({ example: 'key_Utnq2HabpJcz4hLZZGel' }) });

/** A JSON answer of `schema`, with its example (examples.ts). */
export function json<S extends ZodType>(schema: S, description: string) {
  return { description, content: { 'application/json': { schema, example: exampleOf(schema) } } };
}

/** A required JSON request body of `schema`, with its example (examples.ts). */
export function jsonBody<S extends ZodType>(schema: S) {
  return { required: true, content: { 'application/json': { schema, example: exampleOf(schema) } } };
}

type AdminRouteConfig = Pick<RouteConfig, 'method' | 'path' | 'summary' | 'request' | 'responses'> & { summary: string };

/**
 * The route: `config` (method, path, summary, request, its success answer) with the problem answers
 * `problems` plus 401 and 503, which every admin route can give.
 */
export function adminRoute<const R extends AdminRouteConfig, const S extends ProblemStatus>(config: R, problems: readonly S[]) {
  const { method, path, summary, request, responses } = config;
  const answers: Record<number, unknown> = { ...responses };
  for (const code of [...problems, 401, 503] as const) {
    const example = problemExample(code);
    answers[code] = { description: PROBLEMS[code], content: { 'application/problem+json': { schema: Problem, example } } };
  }
  const operationId = `${method}${path.replace(/\{(\w+)\}/g, 'By_$1').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`;
  const route = {
    method,
    path,
    summary,
    operationId,
    tags: [path.split('/')[1] as string],
    security: [{ adminToken: [] }],
    // Before the validators: the body is read under its cap; a `__proto__` parameter is named.
    middleware: [...(request?.query ? [refuseProtoQuery] : []), ...(request?.body ? [readJsonBody] : [])],
    request: request ?? {},
    responses: answers,
  };
  return createRoute(route as unknown as Omit<R, 'responses'> & { responses: R['responses'] & ProblemAnswers<S> });
}
