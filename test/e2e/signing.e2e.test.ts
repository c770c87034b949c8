// The quick start's signed path, end to end over real sockets: the deploy bundle signs with a generated
// key, the example forms origin (a plain Node process importing `keygate/verifier` through the package's
// exports map) verifies and reports the identity, and refuses unsigned or altered calls with 401.

import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E_ADMIN_TOKEN, startKeygate, type KeygateServer } from './keygate-server';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // miniflare's self-signed certificate, loopback only

const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as { kty: string; crv: string; x: string; d: string };
const publicJwk = { kty: jwk.kty, crv: jwk.crv, x: jwk.x };
let origin: ChildProcess;
let originUrl: string;
let keygate: KeygateServer;
let dir: string;

function startOrigin(): Promise<string> {
  origin = spawn(process.execPath, ['examples/forms-origin/server.mjs'], {
    env: { ...process.env, PORT: '0', KEYGATE_PUBLIC_JWK: JSON.stringify(publicJwk) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    origin.stdout?.on('data', (chunk: Buffer) => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+), verifying/.exec(chunk.toString());
      if (match?.[1]) resolve(match[1]);
    });
    origin.on('exit', (code) => reject(new Error(`example origin exited with ${code}`)));
  });
}

async function admin(path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${keygate.url}/_keygate/v1${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${E2E_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await res.json()) as Record<string, unknown>;
}

beforeAll(async () => {
  originUrl = await startOrigin();
  dir = mkdtempSync(join(tmpdir(), 'keygate-e2e-signing-'));
  keygate = await startKeygate({ https: true, persistDir: dir, originUrl, bindings: { ORIGIN_SIGNING_KEY: JSON.stringify(jwk) } });
}, 60_000);

afterAll(async () => {
  await keygate?.dispose();
  origin?.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe('signed identity through the example origin', () => {
  it('a call through keygate is verified by the origin, which reports the signed identity', async () => {
    const project = await admin('/projects', { name: 'signed' });
    const key = (await admin(`/projects/${String(project.id)}/keys`, { name: 'k', scopes: ['forms:read'] })) as { key: string; id: string };
    const res = await fetch(`${keygate.url}/forms`, { headers: { authorization: `Bearer ${key.key}` } });
    const body = (await res.json()) as { calledBy: Record<string, unknown> };
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.calledBy).toMatchObject({
      verified: true,
      keyId: key.id,
      projectId: project.id,
      scopes: ['forms:read'],
      environment: 'live',
      requestId: res.headers.get('x-request-id'),
    });
  });

  it('the origin refuses a call that did not come through keygate, or claims an identity, with 401', async () => {
    const direct = await fetch(`${originUrl}/forms`, { headers: { 'keygate-key-id': 'key_forged', 'keygate-project-id': 'prj_forged' } });
    expect(direct.status).toBe(401);
    expect(await direct.json()).toMatchObject({ reason: 'missing-signature' });
    const forged = await fetch(`${originUrl}/forms`, {
      headers: { signature: `keygate=:${'A'.repeat(86)}==:`, 'signature-input': 'keygate=("@method");created=1;expires=2;keyid="x"' },
    });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ reason: 'component-not-covered' });
  });

  it('keygate serves the public key the origin needs, and the remote JWKS helper reads it', async () => {
    const res = await fetch(`${keygate.url}/_keygate/.well-known/jwks.json`);
    const set = (await res.json()) as { keys: Record<string, unknown>[] };
    expect(set.keys).toEqual([expect.objectContaining({ ...publicJwk, alg: 'EdDSA', use: 'sig' })]);
    expect(JSON.stringify(set)).not.toContain(jwk.d);
    const { remoteJwks } = await import('keygate/verifier');
    const kid = set.keys[0]?.kid as string;
    expect(await remoteJwks(`${keygate.url}/_keygate/.well-known/jwks.json`)(kid)).toEqual(set);
  });
});
