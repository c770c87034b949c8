// The verifiers as tests call them: RPC from the second Worker (verify-client, vitest.config.ts),
// HTTP and Envoy ext_authz through keygate's entry point with a verify token.

import { env } from 'cloudflare:test';
import { expect } from 'vitest';
import { adminJson } from './admin';
import { gateway, type Overrides } from './gateway';
import type { VerifyResult } from '../../src/verify/outcome';

const client = (env as unknown as { VERIFY_CLIENT: Fetcher }).VERIFY_CLIENT;

/** verify(input) called by the second Worker over its service binding to KeygateVerifier. */
export async function verifyByRpc(input: unknown): Promise<VerifyResult> {
  const res = await client.fetch('https://verify-client/rpc', { method: 'POST', body: JSON.stringify(input) });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return JSON.parse(text) as VerifyResult;
}

/** A call to the second Worker's Hono app (keygate/hono's middleware in front). */
export function honoApp(path: string, init: RequestInit = {}): Promise<Response> {
  return client.fetch(`https://verify-client${path}`, init);
}

/** A new verify token of `projectId`: the plaintext, shown once, and its id. */
export async function createVerifyToken(projectId: string, name = 'test verifier'): Promise<{ token: string; id: string }> {
  return adminJson<{ token: string; id: string }>('POST', `/projects/${projectId}/verify-tokens`, { name }, 201);
}

/** POST /_keygate/v1/verify with `token` (Bearer) and `input` as the body. */
export function verifyByHttp(token: string | undefined, input: unknown, overrides: Overrides = {}): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return gateway('/_keygate/v1/verify', { method: 'POST', headers, body: JSON.stringify(input) }, overrides);
}
