// The HTTP verifiers, under /_keygate/v1 beside the admin API but with their own credential (a
// project's verify token, token-auth.ts; the admin token is refused): POST /verify answers the RPC
// verifier's result for a JSON body like its input, and /ext-authz/* is Envoy's ext_authz HTTP
// service (ext-authz.ts). Both see only keys of the token's project.

import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env';
import { Problem, VerifyResult } from '../admin/responses';
import { json, jsonBody } from '../admin/route';
import { problemExample } from '../admin/examples';
import type { ProblemType } from '../errors/problems';
import { readJsonBody, validationHook } from '../admin/validate';
import { verifyTokenAuth } from './token-auth';
import { VerifyInput } from './input';
import { verify } from './verify';
import { scopedTo } from './outcome';
import { extAuthz } from './ext-authz';

export const verifiers = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

verifiers.openAPIRegistry.registerComponent('securitySchemes', 'verifyToken', {
  type: 'http',
  scheme: 'bearer',
  description: "A project's verify token (POST /projects/{projectId}/verify-tokens); never the admin token",
});

const problem = (status: number, description: string, type?: ProblemType) => ({
  description,
  content: { 'application/problem+json': { schema: Problem, example: problemExample(status, type) } },
});

verifiers.openapi(
  createRoute({
    method: 'post',
    path: '/verify',
    summary: "The proxy's decision on a call, without proxying it: valid or the reason, the key's identity, its limits (counted as a call)",
    operationId: 'postVerify',
    tags: ['verify'],
    security: [{ verifyToken: [] }],
    middleware: [verifyTokenAuth('authorization'), readJsonBody],
    request: { body: jsonBody(VerifyInput) },
    responses: {
      200: json(VerifyResult, 'The decision (a refusal is valid: false, with the answer the proxy would have given)'),
      400: problem(400, 'Invalid input (`errors[]` names each field)'),
      401: problem(401, 'No, a wrong or a revoked verify token (the admin token is refused)', 'invalid-verify-token'),
      413: problem(413, 'Body over 64 KiB'),
      415: problem(415, 'The body is not JSON'),
      429: problem(429, 'Too many wrong tokens from this address'),
      503: problem(503, 'Verify tokens or keys could not be looked up', 'auth-unavailable'),
    },
  }),
  async (c) => {
    const result = await verify(c.req.valid('json'), {
      env: c.env,
      waitUntil: (p) => c.executionCtx.waitUntil(p),
      origin: new URL(c.req.url).origin,
      via: 'http',
    });
    const scoped = await scopedTo(c.get('verifyToken').projectId, result);
    c.set('requestId', scoped.requestId); // one id per call: the answer's X-Request-Id is the decision's
    c.header('Cache-Control', 'no-store');
    c.header('X-Content-Type-Options', 'nosniff');
    return c.json(scoped, 200);
  },
);

verifiers.all('/ext-authz/*', verifyTokenAuth('keygate-verify-token'), extAuthz);
