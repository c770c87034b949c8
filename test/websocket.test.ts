// WebSockets through keygate (issue 17 part 2): an upgrade takes every step an ordinary call takes,
// then keygate relays between the client and the origin's own socket. The origin is the recording
// fake in Node (test/helpers/fake-origin.ts), whose /ws/ paths are an echo served by the `ws`
// package — the only fake here; the sockets, KV, the Durable Objects and the change feed are
// workerd's and miniflare's own.

import { env, runInDurableObject } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';
import { adminJson, createKey } from './helpers/admin';
import { expectNoOriginCall, expectProblem, gateway, newTag, originCalls } from './helpers/gateway';
import { emptyLocationCache, otherIsolateSynced } from './helpers/isolate';
import { privateUsage, usageOf } from './helpers/usage';
import { staleKv } from './helpers/kv';
import { hashKey } from '../src/core/key-hash';
import { registry } from '../src/objects/registry/client';
import type { Registry } from '../src/objects/registry/object';
import { memory } from '../src/edge/memory';
import { MAX_STALENESS_MS } from '../src/edge/memory/feed-view';

/** README "Revocation": a revoked or disabled key stops working everywhere within 5 s. */
const REVOCATION_BOUND_MS = 5_000;
const unreachable = {
  idFromName: () => {
    throw new Error('unreachable');
  },
};

/** Route rules of these tests: the echo needs live:read. */
const LIVE = { ROUTES: JSON.stringify([{ method: 'GET', path: '/ws/*', scopes: ['live:read'] }]) };

const opened: WebSocket[] = [];
afterEach(() => {
  for (const socket of opened.splice(0)) {
    try {
      socket.close(1000, 'test over');
    } catch {
      // already closed
    }
  }
});

/** An upgrade request through keygate; `headers` add to Upgrade: websocket and the test tag. */
function upgrade(path: string, tag: string, headers: Record<string, string>, overrides: Record<string, unknown> = LIVE) {
  return gateway(path, { headers: { upgrade: 'websocket', 'x-test-tag': tag, ...headers } }, overrides);
}

/** A client socket from keygate's 101, accepted, with its messages and its close queued for `next`/`closed`. */
function client(res: Response) {
  expect(res.status).toBe(101);
  const socket = res.webSocket;
  expect(socket).not.toBeNull();
  const ws = socket as WebSocket;
  opened.push(ws);
  const messages: (string | ArrayBuffer)[] = [];
  const waiting: ((m: string | ArrayBuffer) => void)[] = [];
  ws.addEventListener('message', (event) => {
    const take = waiting.shift();
    if (take) take(event.data);
    else messages.push(event.data);
  });
  const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) =>
    ws.addEventListener('close', (event) => resolve({ code: event.code, reason: event.reason, at: Date.now() })),
  );
  ws.binaryType = 'arraybuffer';
  ws.accept();
  const next = () =>
    new Promise<string | ArrayBuffer>((resolve) => {
      const queued = messages.shift();
      if (queued !== undefined) resolve(queued);
      else waiting.push(resolve);
    });
  return { ws, next, closed };
}

async function liveKey(fields: Record<string, unknown> = {}) {
  return createKey({ scopes: ['live:read'], ...fields });
}

describe('WebSockets through keygate', () => {
  it('an upgrade with a valid key is relayed to the origin: text and binary echo both ways, the origin sees identity headers and no credential', async () => {
    const key = await liveKey();
    const tag = newTag();
    const { ws, next } = client(await upgrade('/ws/echo', tag, { authorization: `Bearer ${key.key}` }));
    ws.send('hello');
    expect(await next()).toBe('hello');
    ws.send(new Uint8Array([1, 2, 3]));
    const echoed = await next();
    expect(echoed).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(echoed as ArrayBuffer)]).toEqual([1, 2, 3]);
    ws.send('headers');
    const seen = JSON.parse((await next()) as string) as Record<string, string>;
    expect(seen['keygate-key-id']).toBe(key.id);
    expect(seen.authorization).toBeUndefined();
    expect(JSON.stringify(seen)).not.toContain(key.key);
    const [call] = await originCalls(tag);
    expect(call?.url).toBe('/ws/echo');
    expect(call?.headers.upgrade).toBe('websocket');
  });

  it('an upgrade without a valid key is refused before the origin: no key, unknown key, missing scope, key in the URL, plain http', async () => {
    const key = await liveKey();
    const other = await createKey({ scopes: ['forms:read'] });
    const tag = newTag();
    await expectProblem(await upgrade('/ws/echo', tag, {}), 'missing-api-key', 401);
    // Its last character changed (to one it is not: a key ending in x stayed itself, 1 run in 62).
    const wrong = `${key.key.slice(0, -1)}${key.key.endsWith('x') ? 'y' : 'x'}`;
    await expectProblem(await upgrade('/ws/echo', tag, { authorization: `Bearer ${wrong}` }), 'invalid-api-key', 401);
    await expectProblem(await upgrade('/ws/echo', tag, { authorization: `Bearer ${other.key}` }), 'insufficient-scope', 403);
    await expectProblem(await upgrade(`/ws/echo?api_key=${key.key}`, tag, {}), 'api-key-in-url', 400);
    await expectProblem(await upgrade(`/ws/echo?token=${key.key}`, tag, {}), 'api-key-in-url', 400);
    await expectProblem(await upgrade('http://api.example.com/ws/echo', tag, {}), 'https-required', 403);
    await expectNoOriginCall(tag);
    // The key sent in the URL was exposed, and revoked (EXPOSED_KEY_POLICY=revoke).
    expect((await adminJson<{ status: string }>('GET', `/keys/${key.id}`)).status).toBe('revoked');
  });

  it('Sec-WebSocket-Protocol: the keygate.bearer.<key> entry authenticates, is stripped before the origin, and the client is answered with the subprotocol the origin chose', async () => {
    const key = await liveKey();
    const tag = newTag();
    const res = await upgrade('/ws/echo', tag, { 'sec-websocket-protocol': `chat.v1, keygate.bearer.${key.key}, chat.v2` });
    expect(res.headers.get('sec-websocket-protocol')).toBe('chat.v2');
    const { ws, next } = client(res);
    ws.send('headers');
    const seen = JSON.parse((await next()) as string) as Record<string, string>;
    expect(seen['sec-websocket-protocol']).toBe('chat.v1, chat.v2');
    expect(seen['keygate-key-id']).toBe(key.id);
    const [call] = await originCalls(tag);
    expect(call?.rawHeaders.join('\n')).not.toContain(key.key);
    expect(call?.rawHeaders.join('\n')).not.toContain('keygate.bearer');

    // Only the key entry: the origin is offered nothing and the client gets no subprotocol, never the key back.
    const alone = await upgrade('/ws/echo', newTag(), { 'sec-websocket-protocol': `keygate.bearer.${key.key}` });
    expect(alone.headers.get('sec-websocket-protocol')).toBeNull();
    client(alone);
  });

  it('a subprotocol key sent over plain http is refused and treated as exposed, like a header key', async () => {
    const key = await liveKey();
    const tag = newTag();
    const res = await upgrade('http://api.example.com/ws/echo', tag, { 'sec-websocket-protocol': `chat.v1, keygate.bearer.${key.key}` });
    await expectProblem(res, 'https-required', 403);
    await expectNoOriginCall(tag);
    expect((await adminJson<{ status: string; exposed: boolean }>('GET', `/keys/${key.id}`)).status).toBe('revoked');
  });

  it('the subprotocol key is refused when a header carries a key too, when there are two, and outside an upgrade (where the field never reaches the origin)', async () => {
    const key = await liveKey();
    const tag = newTag();
    const both = { authorization: `Bearer ${key.key}`, 'sec-websocket-protocol': `keygate.bearer.${key.key}` };
    await expectProblem(await upgrade('/ws/echo', tag, both), 'invalid-api-key', 401);
    const two = { 'sec-websocket-protocol': `keygate.bearer.${key.key}, keygate.bearer.${key.key}` };
    await expectProblem(await upgrade('/ws/echo', tag, two), 'invalid-api-key', 401);
    await expectProblem(await upgrade('/ws/echo', tag, { 'sec-websocket-protocol': 'keygate.bearer.' }), 'missing-api-key', 401);
    await expectNoOriginCall(tag);
    const plain = { 'x-test-tag': tag, 'sec-websocket-protocol': `keygate.bearer.${key.key}` };
    await expectProblem(await gateway('/ws/echo', { headers: plain }, LIVE), 'missing-api-key', 401);
    const withHeader = await gateway('/ws/echo', { headers: { ...plain, authorization: `Bearer ${key.key}` } }, LIVE);
    expect(withHeader.status).toBe(200);
    const [call] = await originCalls(tag);
    expect(call?.headers['sec-websocket-protocol']).toBeUndefined();
    expect(call?.rawHeaders.join('\n')).not.toContain(key.key);
  });

  it("closes pass both ways with their code and reason; an origin's answer other than 101 is relayed as it came", async () => {
    const key = await liveKey();
    const auth = { authorization: `Bearer ${key.key}` };
    const { ws, closed } = client(await upgrade('/ws/echo', newTag(), auth));
    ws.send('close 4001 done here');
    expect(await closed).toMatchObject({ code: 4001, reason: 'done here' });
    const refused = await upgrade('/ws-none', newTag(), auth, { ROUTES: undefined });
    expect(refused.status).toBe(404);
    expect(refused.webSocket).toBeNull();
  });

  it('usage: one call per connection, counted at the upgrade with the route rule (messages are not counted)', async () => {
    const key = await liveKey();
    const usage = privateUsage(newTag());
    const { ws, next } = client(await upgrade('/ws/echo', newTag(), { authorization: `Bearer ${key.key}` }, { ...LIVE, ...usage }));
    for (const text of ['a', 'b', 'c']) {
      ws.send(text);
      expect(await next()).toBe(text);
    }
    const counted = await usageOf(`/keys/${key.id}/usage?granularity=minute&groupBy=route`, usage);
    expect(counted.total).toBe(1);
    expect(counted.byOutcome).toEqual({ allowed: 1 });
    expect(counted.topRoutes).toEqual([{ route: 'GET /ws/*', count: 1 }]);
  });
});

describe('an open WebSocket is closed when its key stops being valid', () => {
  it('revoked through the admin API in this isolate: closed with 1008 at once', async () => {
    const key = await liveKey();
    const { closed } = client(await upgrade('/ws/echo', newTag(), { authorization: `Bearer ${key.key}` }));
    const revokedAt = Date.now();
    await adminJson('POST', `/keys/${key.id}/revoke`);
    const end = await closed;
    expect(end.code).toBe(1008);
    expect(end.reason).toMatch(/no longer allows/);
    expect(end.at - revokedAt).toBeLessThanOrEqual(REVOCATION_BOUND_MS);
  });

  it('revoked in the registry, learnt from the change feed (KV still serving the old record): closed with 1008 within the revocation bound', async () => {
    const key = await liveKey();
    await otherIsolateSynced();
    const hash = await hashKey(key.key);
    const kv = staleKv(env.KEYS, `key:${hash}`, (await env.KEYS.get(`key:${hash}`)) as string);
    const { ws, next, closed } = client(await upgrade('/ws/echo', newTag(), { authorization: `Bearer ${key.key}` }, { ...LIVE, KEYS: kv }));
    ws.send('still open');
    expect(await next()).toBe('still open');
    await runInDurableObject(registry(env), async (instance: Registry) => instance.revokeKey(key.id, 'test', Date.now()));
    const revokedAt = Date.now();
    const end = await closed;
    console.log(`websocket of a revoked key closed ${end.at - revokedAt} ms after the revocation`);
    expect(end.code).toBe(1008);
    expect(end.at - revokedAt).toBeLessThanOrEqual(REVOCATION_BOUND_MS);
    expect(memory.sockets.size).toBe(0);
  });

  it('disabled, and expired: closed with 1008', async () => {
    const key = await liveKey();
    const disabled = client(await upgrade('/ws/echo', newTag(), { authorization: `Bearer ${key.key}` }));
    await adminJson('PATCH', `/keys/${key.id}`, { enabled: false });
    expect((await disabled.closed).code).toBe(1008);

    const expiresAt = Date.now() + 1_500;
    const expiring = await liveKey({ expiresAt: new Date(expiresAt).toISOString() });
    const expired = client(await upgrade('/ws/echo', newTag(), { authorization: `Bearer ${expiring.key}` }));
    const end = await expired.closed;
    expect(end.code).toBe(1008);
    expect(end.at).toBeGreaterThanOrEqual(expiresAt);
    expect(end.at - expiresAt).toBeLessThanOrEqual(REVOCATION_BOUND_MS);
  });

  it('a scope taken away closes it too', async () => {
    const key = await liveKey();
    const { closed } = client(await upgrade('/ws/echo', newTag(), { authorization: `Bearer ${key.key}` }));
    await adminJson('PATCH', `/keys/${key.id}`, { scopes: ['forms:read'] });
    expect((await closed).code).toBe(1008);
  });

  it('when the change feed cannot vouch for the key (FEED_FAILURE_POLICY=refuse, the default): closed with 1013, try again later', async () => {
    const key = await liveKey();
    await otherIsolateSynced();
    await emptyLocationCache();
    const noFeed = { ...LIVE, REGISTRY: unreachable, FEED: unreachable };
    const { ws, next, closed } = client(await upgrade('/ws/echo', newTag(), { authorization: `Bearer ${key.key}` }, noFeed));
    ws.send('open');
    expect(await next()).toBe('open');
    const end = await closed;
    expect(end.code).toBe(1013);
    expect(end.reason).toMatch(/reconnect later/);
    expect(MAX_STALENESS_MS).toBeLessThan(REVOCATION_BOUND_MS);
  });
});
