// WebSockets over real sockets, against the deploy bundle in workerd: a Node client (the `ws`
// package) connects over wss with the keygate.bearer subprotocol; the socket and the admin call that
// revokes its key are separate requests, as in production, so the close on revoke crosses request
// contexts the way it must (the in-process tests, test/websocket.test.ts, run in one).

import { createRequire } from 'node:module';
import type { WebSocket as Client } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E_ADMIN_TOKEN, startStack, type Stack } from './keygate-server';

// Node's own resolution: vite would pick ws's browser stub.
const WebSocket = createRequire(import.meta.url)('ws') as typeof Client;
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // miniflare's self-signed certificate, loopback only

/** README "Revocation": a revoked key stops working everywhere within 5 s. */
const REVOCATION_BOUND_MS = 5_000;
let stack: Stack;

async function admin(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${stack.keygate.url}/_keygate/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${E2E_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()) as Record<string, unknown>;
}

/** An open socket through keygate with `key` as a subprotocol entry, its messages and its close. */
function connect(
  key: string,
): Promise<{ ws: Client; next: () => Promise<string>; closed: Promise<{ code: number; reason: string; at: number }> }> {
  const ws = new WebSocket(`${stack.keygate.url.replace(/^https/, 'wss')}/ws/echo`, ['chat.v1', `keygate.bearer.${key}`], {
    rejectUnauthorized: false,
  });
  const messages: string[] = [];
  const waiting: ((m: string) => void)[] = [];
  ws.on('message', (data) => {
    const take = waiting.shift();
    if (take) take(data.toString());
    else messages.push(data.toString());
  });
  const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString(), at: Date.now() })),
  );
  const next = () => new Promise<string>((resolve) => (messages.length > 0 ? resolve(messages.shift() as string) : waiting.push(resolve)));
  return new Promise((resolve, reject) => {
    ws.on('open', () => resolve({ ws, next, closed }));
    ws.on('unexpected-response', (_req, res) => reject(new Error(`upgrade answered ${res.statusCode}`)));
    ws.on('error', reject);
  });
}

beforeAll(async () => {
  stack = await startStack({ ROUTES: [{ method: 'GET', path: '/ws/*', scopes: ['live:read'] }] });
});
afterAll(async () => {
  await stack.stop();
});

describe('WebSockets over real sockets', () => {
  it('echoes through keygate, answers the origin’s subprotocol, and closes with 1008 within the bound once the key is revoked by another request', async () => {
    const project = await admin('POST', '/projects', { name: 'e2e ws' });
    const key = (await admin('POST', `/projects/${String(project.id)}/keys`, { name: 'k', scopes: ['live:read'] })) as {
      key: string;
      id: string;
    };
    const { ws, next, closed } = await connect(key.key);
    expect(ws.protocol).toBe('chat.v1');
    ws.send('over the wire');
    expect(await next()).toBe('over the wire');
    const revokedAt = Date.now();
    await admin('POST', `/keys/${key.id}/revoke`);
    const end = await closed;
    console.log(`e2e: socket closed ${end.at - revokedAt} ms after the revoke`);
    expect(end.code).toBe(1008);
    expect(end.reason).toMatch(/no longer allows/);
    expect(end.at - revokedAt).toBeLessThanOrEqual(REVOCATION_BOUND_MS);
    await expect(connect(key.key)).rejects.toThrow('upgrade answered 401');
  });
});
