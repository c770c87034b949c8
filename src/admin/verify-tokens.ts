// Admin: verify tokens — a project's credential for the HTTP verifier and Envoy's ext_authz calls.
// Created with the secret shown once, listed without it, revoked for good; each change audited.

import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env';
import { hashKey } from '../core/key-hash';
import { memory } from '../edge/memory';
import { registry } from '../objects/registry/client';
import { encodeCursor } from '../objects/page';
import { newVerifyTokenSecret } from '../objects/registry/verify-tokens';
import { VerifyToken, VerifyTokenCreated, VerifyTokenPage } from './responses';
import { adminRoute, json, jsonBody, projectId } from './route';
import { listQuery, verifyTokenCreate } from './schemas';
import { afterCursor, found } from './validate';

export const verifyTokens = new OpenAPIHono<AppEnv>();

const tokenId = z.object({ tokenId: z.string().openapi({ example: 'vtk_Utnq2HabpJcz4hLZZGel' }) });

verifyTokens.openapi(
  adminRoute(
    {
      method: 'post',
      path: '/projects/{projectId}/verify-tokens',
      summary: 'Create a verify token for the HTTP and Envoy verifiers (shown once)',
      request: { params: projectId, body: jsonBody(verifyTokenCreate) },
      responses: { 201: json(VerifyTokenCreated, 'The token, with its secret') },
    },
    [400, 404, 413, 415],
  ),
  async (c) => {
    const token = newVerifyTokenSecret();
    const { name } = c.req.valid('json');
    const view = found(
      await registry(c.env).createVerifyToken(
        c.req.valid('param').projectId,
        name,
        await hashKey(token),
        token.slice(0, 12),
        c.get('actor'),
        Date.now(),
      ),
      'project',
    );
    return c.json({ token, ...view }, 201);
  },
);

verifyTokens.openapi(
  adminRoute(
    {
      method: 'get',
      path: '/projects/{projectId}/verify-tokens',
      summary: "A project's verify tokens, without their secrets",
      request: { params: projectId, query: listQuery },
      responses: { 200: json(VerifyTokenPage, 'A page of verify tokens') },
    },
    [400, 404],
  ),
  async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const page = found(await registry(c.env).listVerifyTokens(c.req.valid('param').projectId, limit, afterCursor(cursor)), 'project');
    return c.json({ items: page.items, nextCursor: encodeCursor(page.nextAfter) }, 200);
  },
);

verifyTokens.openapi(
  adminRoute(
    {
      method: 'post',
      path: '/verify-tokens/{tokenId}/revoke',
      summary: 'Revoke a verify token (permanent)',
      request: { params: tokenId },
      responses: { 200: json(VerifyToken, 'The token, revoked') },
    },
    [404],
  ),
  async (c) => {
    const revoked = found(
      await registry(c.env).revokeVerifyToken(c.req.valid('param').tokenId, c.get('actor'), Date.now()),
      'verify token',
    );
    // This isolate refuses it from the next call; others once KV has it and their copy has aged out.
    memory.verifyTokens.delete(revoked.hash);
    return c.json(revoked.view, 200);
  },
);
