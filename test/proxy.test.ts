// Checklist F (proxy correctness, RFC 9110/9112) against the real fake origin.

import { describe, expect, it } from 'vitest';
import { createKey } from './helpers/admin';
import { ADMIN_TOKEN, expectOriginAborted, expectProblem, gateway, newTag, originCalls, releaseOrigin, withKey } from './helpers/gateway';

const anyPath = { ROUTES: undefined };

async function keyFor(): Promise<string> {
  return (await createKey({ scopes: ['forms:*'] })).key;
}

describe('F. proxy', () => {
  it('paths that only resemble /_keygate belong to the data plane: authenticated, then proxied', async () => {
    const key = await keyFor();
    const tag = newTag();
    for (const path of ['/_keygatex', '/_keygate-admin/v1/keys', '/api/_keygate/v1/keys']) {
      await expectProblem(await gateway(path, { headers: { 'x-test-tag': tag } }, anyPath), 'missing-api-key', 401);
      const res = await gateway(path, withKey(key, tag), anyPath);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('x-request-id'), path).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect((await originCalls(tag)).map((call) => call.url)).toEqual(['/_keygatex', '/_keygate-admin/v1/keys', '/api/_keygate/v1/keys']);
  });

  it('escaped spellings of /_keygate are refused as non-canonical: neither the admin API nor the origin sees them', async () => {
    const key = await keyFor();
    const tag = newTag();
    for (const path of ['/%5Fkeygate/v1/projects', '/_keygat%65/v1/projects', '/%5fkeygate/.well-known/jwks.json']) {
      await expectProblem(await gateway(path, withKey(key, tag), anyPath), 'non-canonical-path', 400);
      await expectProblem(
        await gateway(path, { headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'x-test-tag': tag } }, anyPath),
        'non-canonical-path',
        400,
      );
    }
    expect(await originCalls(tag)).toEqual([]);
  });

  it('F42: hop-by-hop fields and those named in Connection are not forwarded, either way', async () => {
    const key = await keyFor();
    const tag = newTag();
    const res = await gateway(
      '/echo',
      withKey(key, tag, {
        connection: 'close, X-Foo',
        'x-foo': '1',
        'keep-alive': 'timeout=5',
        te: 'gzip',
        upgrade: 'h2c',
        'proxy-connection': 'keep-alive',
        'proxy-authorization': 'Basic c2VjcmV0',
        trailer: 'x-t',
        'x-kept': 'yes',
      }),
      anyPath,
    );
    expect(res.status).toBe(200);
    const [call] = await originCalls(tag);
    for (const name of ['x-foo', 'keep-alive', 'te', 'upgrade', 'proxy-connection', 'proxy-authorization', 'trailer']) {
      expect(call?.headers[name], name).toBeUndefined();
    }
    expect(call?.headers['x-kept']).toBe('yes');
    const hop = await gateway('/hop', withKey(key, newTag()), anyPath);
    expect(await hop.text()).toBe('hop');
    expect(hop.headers.get('keep-alive')).toBeNull();
    expect(hop.headers.get('connection')).toBeNull();
    expect(hop.headers.get('x-private-hop')).toBeNull();
  });

  it('the response is relayed field for field: every Set-Cookie apart, repeated fields, status and status text', async () => {
    const res = await gateway('/cookies', withKey(await keyFor(), newTag()), anyPath);
    expect(res.status).toBe(201);
    expect(res.statusText).toBe('Made');
    expect(res.headers.getSetCookie()).toEqual(['a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Path=/', 'b=2; HttpOnly']);
    expect(res.headers.get('x-multi')).toBe('one, two');
    expect(await res.text()).toBe('cookies');
  });

  it('method-override headers never reach the origin: a read-only key cannot turn a GET into a DELETE', async () => {
    const { key } = await createKey({ scopes: ['forms:read'] }); // wrangler.toml's rules: DELETE needs forms:delete
    const tag = newTag();
    const overrides = {
      'x-http-method-override': 'DELETE',
      'X-HTTP-Method': 'DELETE',
      'x-method-override': 'DELETE',
      'x-original-url': '/forms/2',
      'x-rewrite-url': '/forms/2',
    };
    const res = await gateway('/forms/1', withKey(key, tag, overrides));
    expect(res.status).toBe(200);
    const [call] = await originCalls(tag);
    expect(call?.method).toBe('GET');
    expect(call?.url).toBe('/forms/1');
    for (const name of Object.keys(overrides)) expect(call?.headers[name.toLowerCase()], name).toBeUndefined();
  });

  it('a _method query parameter, however spelled, is refused with 400 method-override and the origin is never called', async () => {
    const { key } = await createKey({ scopes: ['forms:read'] });
    const tag = newTag();
    for (const query of [
      '?_method=DELETE',
      '?a=1&_method=delete',
      '?%5Fmethod=DELETE',
      '?_%6Dethod=DELETE',
      '?%255Fmethod=PUT',
      '?_METHOD=PATCH',
      '?_method',
    ]) {
      const body = await expectProblem(await gateway(`/forms/1${query}`, withKey(key, tag)), 'method-override', 400);
      expect(body.detail, query).toMatch(/_method/);
    }
    expect((await gateway('/forms/1?tax_method=flat&method=x', withKey(key, tag))).status).toBe(200);
    expect(await originCalls(tag)).toHaveLength(1);
  });

  it('F43: Via is appended', async () => {
    const key = await keyFor();
    const tag = newTag();
    await gateway('/echo', withKey(key, tag), anyPath);
    await gateway('/echo', withKey(key, tag, { via: '1.1 corp-proxy' }), anyPath);
    const [first, second] = await originCalls(tag);
    expect(first?.headers['via']).toBe('1.1 keygate');
    expect(second?.headers['via']).toBe('1.1 corp-proxy, 1.1 keygate');
  });

  it('F44: forwarding headers are replaced, never trusted', async () => {
    const key = await keyFor();
    const tag = newTag();
    await gateway(
      '/echo',
      withKey(key, tag, {
        'cf-connecting-ip': '198.51.100.4',
        'x-forwarded-for': '10.0.0.1',
        forwarded: 'for=10.0.0.1',
        'x-forwarded-host': 'evil.example',
        'x-forwarded-proto': 'http',
        'x-real-ip': '10.0.0.1',
      }),
      anyPath,
    );
    const [call] = await originCalls(tag);
    expect(call?.headers).toMatchObject({
      'x-forwarded-for': '198.51.100.4',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'api.example.com',
    });
    expect(call?.headers['forwarded']).toBeUndefined();
    expect(call?.headers['x-real-ip']).toBeUndefined();
  });

  it('F45: whatever Host the client names, the call goes only to ORIGIN_URL with its host', async () => {
    const key = await keyFor();
    const tag = newTag();
    expect((await gateway('https://evil.example/echo', withKey(key, tag, { host: 'evil.example' }), anyPath)).status).toBe(200);
    const [call] = await originCalls(tag);
    expect(call?.headers['host']).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('F46: origin redirects are returned, not followed', async () => {
    const key = await keyFor();
    const tag = newTag();
    const res = await gateway('/redirect', withKey(key, tag), anyPath);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://internal.example/secret');
    expect(await originCalls(tag)).toHaveLength(1);
  });

  it('F47: the query reaches the origin with order and encoding kept', async () => {
    const key = await keyFor();
    const tag = newTag();
    await gateway('/echo?c=1&b=2&%61=3&a=%20x&z', withKey(key, tag), anyPath);
    expect((await originCalls(tag))[0]?.url).toBe('/echo?c=1&b=2&%61=3&a=%20x&z');
  });

  it('F48: a 50 MB upload streams to the origin byte-identical, the origin receiving before the client has finished', async () => {
    const key = await keyFor();
    const tag = newTag();
    const CHUNK = 64 * 1024;
    const TOTAL = 50 * 1024 * 1024;
    const chunkAt = (i: number) => {
      const chunk = new Uint8Array(CHUNK);
      for (let j = 0; j < CHUNK; j += 4) new DataView(chunk.buffer).setUint32(j, i * CHUNK + j);
      return chunk;
    };
    const expected = new crypto.DigestStream('SHA-256');
    const writer = expected.getWriter();
    for (let i = 0; i < TOTAL / CHUNK; i++) await writer.write(chunkAt(i));
    await writer.close();
    const expectedHex = [...new Uint8Array(await expected.digest)].map((b) => b.toString(16).padStart(2, '0')).join('');

    let sent = 0;
    let originSawBytesEarly = false;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent === TOTAL / 2) {
          // Hold the second half until the origin has bytes: a buffering proxy would never get here.
          for (let tries = 0; tries < 200 && !originSawBytesEarly; tries++) {
            const [call] = await originCalls(tag);
            originSawBytesEarly = (call?.bodyBytes ?? 0) > 0;
            if (!originSawBytesEarly) await new Promise((r) => setTimeout(r, 25));
          }
        }
        if (sent >= TOTAL) return controller.close();
        controller.enqueue(chunkAt(sent / CHUNK));
        sent += CHUNK;
      },
    });
    const res = await gateway('/upload', { method: 'PUT', body, ...withKey(key, tag) }, anyPath);
    expect(res.status).toBe(200);
    const echoed = (await res.json()) as { bodyBytes: number; bodySha256: string };
    expect(originSawBytesEarly).toBe(true);
    expect(echoed.bodyBytes).toBe(TOTAL);
    expect(echoed.bodySha256).toBe(expectedHex);
  });

  it('F49: a streamed response reaches the client before the origin has finished', async () => {
    const key = await keyFor();
    const tag = newTag();
    const res = await gateway('/stream', withKey(key, tag), anyPath);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBeNull();
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    const first = await reader.read();
    expect(decoder.decode(first.value)).toBe('first chunk\n');
    await releaseOrigin(tag);
    let rest = '';
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += decoder.decode(r.value);
    expect(rest).toBe('second chunk\n');
  });

  it('F50: methods pass through; HEAD, 204 and 304 have no body', async () => {
    const key = await keyFor();
    const tag = newTag();
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      const res = await gateway(
        '/echo',
        { method, ...withKey(key, tag), body: ['GET', 'OPTIONS'].includes(method) ? undefined : 'x' },
        anyPath,
      );
      expect(res.status, method).toBe(200);
      expect(((await res.json()) as { method: string }).method).toBe(method);
    }
    const head = await gateway('/echo', { method: 'HEAD', ...withKey(key, tag) }, anyPath);
    expect(head.status).toBe(200);
    expect(head.body).toBeNull();
    const refused = await gateway('/echo', { method: 'HEAD' }, anyPath);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.body).toBeNull();
    for (const status of [204, 304]) {
      const res = await gateway(`/status/${status}`, withKey(key, tag), anyPath);
      expect(res.status).toBe(status);
      expect(res.body).toBeNull();
    }
    expect((await originCalls(tag)).map((c) => c.method)).toEqual([
      'GET',
      'POST',
      'PUT',
      'PATCH',
      'DELETE',
      'OPTIONS',
      'HEAD',
      'GET',
      'GET',
    ]);
  });

  it('F51: origin 4xx/5xx pass through untouched, once', async () => {
    const key = await keyFor();
    for (const status of [400, 404, 500, 503]) {
      const tag = newTag();
      const res = await gateway(`/status/${status}`, { method: 'POST', body: 'x', ...withKey(key, tag) }, anyPath);
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(res.headers.get('retry-after')).toBe('7');
      expect(res.headers.get('x-origin')).toBe('fake');
      expect(await res.json()).toEqual({ origin: 'error', status });
      expect(await originCalls(tag)).toHaveLength(1);
    }
  });

  it('F52: an unreachable origin ⇒ 502 bad-gateway with a request id and no internals', async () => {
    const key = await keyFor();
    const body = await expectProblem(
      await gateway('/echo', withKey(key, newTag()), { ...anyPath, ORIGIN_URL: 'http://127.0.0.1:9' }),
      'bad-gateway',
      502,
    );
    expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|connect/i);
  });

  it('F52: an origin status keygate cannot relay (outside 200–599, a 101 nobody asked for) ⇒ 502 bad-gateway, not 500', async () => {
    const key = await keyFor();
    for (const status of ['101', '600', '999', '100', '199']) {
      const tag = newTag();
      await expectProblem(await gateway(`/raw-status/${status}`, withKey(key, tag), anyPath), 'bad-gateway', 502);
      expect(await originCalls(tag), status).toHaveLength(1);
    }
    // An Upgrade from the client is hop-by-hop: a WebSocket upgrade is keygate's own handshake with the
    // origin (test/websocket.test.ts), and a 101 that completes none is no answer to it: workerd's
    // fetch fails the handshake with a 502 of its own, which is relayed — never a 101, never a socket.
    const upgraded = await gateway('/raw-status/101', withKey(key, newTag(), { upgrade: 'websocket', connection: 'upgrade' }), anyPath);
    expect(upgraded.status).toBe(502);
    expect(upgraded.webSocket).toBeNull();
    await upgraded.body?.cancel();
  });

  it('F53: an origin slower than ORIGIN_TIMEOUT_MS ⇒ 504, and the origin fetch is aborted', async () => {
    const key = await keyFor();
    const tag = newTag();
    const started = Date.now();
    await expectProblem(
      await gateway('/slow?ms=5000', withKey(key, tag), { ...anyPath, ORIGIN_TIMEOUT_MS: '300' }),
      'gateway-timeout',
      504,
    );
    expect(Date.now() - started).toBeLessThan(4000);
    await expectOriginAborted(tag);
  });

  it('an origin that sends headers and then stalls mid-body: the stream is aborted after ORIGIN_BODY_IDLE_TIMEOUT_MS', async () => {
    const key = await keyFor();
    // With a Content-Length (one deadline for the whole body) and without (a deadline per chunk).
    for (const path of ['/stall', '/stall?chunked']) {
      const tag = newTag();
      const started = Date.now();
      const res = await gateway(path, withKey(key, tag), { ...anyPath, ORIGIN_BODY_IDLE_TIMEOUT_MS: '300' });
      expect(res.status, path).toBe(200);
      const reader = res.body!.getReader();
      expect(new TextDecoder().decode((await reader.read()).value), path).toBe('partial body\n');
      await expect(reader.read(), path).rejects.toThrow();
      expect(Date.now() - started, path).toBeGreaterThanOrEqual(250);
      expect(Date.now() - started, path).toBeLessThan(3000);
      await expectOriginAborted(tag, path);
      await releaseOrigin(tag);
    }
  });

  it('an origin that sends headers and then no body at all (a known length) ⇒ 504 gateway-timeout, the origin call aborted', async () => {
    const key = await keyFor();
    const tag = newTag();
    const started = Date.now();
    await expectProblem(
      await gateway('/stall?silent', withKey(key, tag), { ...anyPath, ORIGIN_BODY_IDLE_TIMEOUT_MS: '300' }),
      'gateway-timeout',
      504,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await expectOriginAborted(tag);
    await releaseOrigin(tag);
  });

  it('an origin that sends headers and then closes the connection (a known length, no byte of it) ⇒ 502 bad-gateway', async () => {
    const key = await keyFor();
    await expectProblem(await gateway('/stall?broken', withKey(key, newTag()), anyPath), 'bad-gateway', 502);
  });

  it('a body that keeps coming, or a client that reads slowly, is not cut by the body idle timeout', async () => {
    const key = await keyFor();
    const idle = { ...anyPath, ORIGIN_BODY_IDLE_TIMEOUT_MS: '400' };
    // 6 chunks 150 ms apart: ~0.9 s in all, never 400 ms without a chunk.
    const trickle = await gateway('/trickle?n=6&gap=150', withKey(key, newTag()), idle);
    expect(await trickle.text()).toBe([0, 1, 2, 3, 4, 5].map((i) => `chunk ${i}\n`).join(''));
    // The origin sends everything at once; the client waits 800 ms before reading it.
    const slowReader = await gateway('/trickle?n=3&gap=0', withKey(key, newTag()), idle);
    await new Promise((r) => setTimeout(r, 800));
    expect(await slowReader.text()).toBe('chunk 0\nchunk 1\nchunk 2\n');
    // 0 turns the deadline off: the origin's stream is relayed as it came.
    const off = await gateway('/trickle?n=2&gap=500', withKey(key, newTag()), { ...anyPath, ORIGIN_BODY_IDLE_TIMEOUT_MS: '0' });
    expect(await off.text()).toBe('chunk 0\nchunk 1\n');
  });

  it('a client that stalls its upload: no answer from the origin within ORIGIN_TIMEOUT_MS ⇒ 504, the origin request aborted', async () => {
    const key = await keyFor();
    const tag = newTag();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('the first bytes, then nothing'));
      },
    });
    const res = await gateway('/upload', { method: 'PUT', body, ...withKey(key, tag) }, { ...anyPath, ORIGIN_TIMEOUT_MS: '300' });
    await expectProblem(res, 'gateway-timeout', 504);
    await expectOriginAborted(tag);
  });

  it('F55: two keys calling the same URL each get their own origin call and identity', async () => {
    const a = await createKey();
    const b = await createKey();
    const tag = newTag();
    const ra = (await (await gateway('/me', withKey(a.key, tag), anyPath)).json()) as { keyId: string };
    const rb = (await (await gateway('/me', withKey(b.key, tag), anyPath)).json()) as { keyId: string };
    expect(ra.keyId).toBe(a.id);
    expect(rb.keyId).toBe(b.id);
    expect(await originCalls(tag)).toHaveLength(2);
  });
});
