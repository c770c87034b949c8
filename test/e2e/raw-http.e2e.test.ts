// What only a real socket can send, against the deploy bundle in workerd: raw dot segments,
// ambiguous framing, a key sent over plain http (exposed, then refused after a restart), an origin
// that stalls mid-body.

import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedCall } from '../helpers/origin-types';
import { E2E_ADMIN_TOKEN, startStack, type KeygateServer, type Stack } from './keygate-server';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // miniflare's self-signed certificate, loopback only

let stack: Stack;
let keygate: KeygateServer;
let originUrl: string;

async function admin(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${keygate.url}/_keygate/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${E2E_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()) as Record<string, unknown>;
}

async function newKey(): Promise<{ key: string; id: string }> {
  const project = await admin('POST', '/projects', { name: 'e2e' });
  return (await admin('POST', `/projects/${String(project.id)}/keys`, { name: 'k', scopes: ['forms:read'] })) as {
    key: string;
    id: string;
  };
}

async function calls(tag: string): Promise<RecordedCall[]> {
  return (await (await fetch(`${originUrl}/__calls/${tag}`)).json()) as RecordedCall[];
}

/** Sends `raw` bytes over TLS and returns what came back once `responses` heads have arrived. */
function rawRequest(raw: string, responses = 1): Promise<string> {
  const { hostname, port } = new URL(keygate.url);
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: hostname, port: Number(port), rejectUnauthorized: false }, () => socket.write(raw));
    let data = '';
    socket.setTimeout(5000, () => socket.destroy(new Error('timeout')));
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      const heads = data.match(/HTTP\/1\.1 \d{3}[^]*?\r\n\r\n/g) ?? [];
      if (heads.length >= responses) socket.end();
    });
    socket.on('end', () => resolve(data));
    socket.on('close', () => resolve(data));
    socket.on('error', (e) => (data ? resolve(data) : reject(e)));
  });
}

beforeAll(async () => {
  stack = await startStack({ KEY_CACHE_TTL_MS: '0', BENCH_MODE: 'true', ORIGIN_BODY_IDLE_TIMEOUT_MS: '500' });
  keygate = stack.keygate;
  originUrl = stack.originUrl;
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe('e2e: the deploy bundle on a real socket', () => {
  it('serves https and proxies a valid key', async () => {
    const { key } = await newKey();
    const tag = 'e2e-ok';
    const res = await fetch(`${keygate.url}/forms/1`, { headers: { authorization: `Bearer ${key}`, 'x-test-tag': tag } });
    expect(res.status).toBe(200);
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d{8}/);
    expect(await calls(tag)).toHaveLength(1);
  });

  it('concurrent requests for one uncached key share KV reads and never hang each other', async () => {
    // KEY_CACHE_TTL_MS=0 here: every burst is a burst of misses, each waiting on another request's read.
    const { key } = await newKey();
    const counters = async () =>
      (await (
        await fetch(`${keygate.url}/_keygate/v1/bench/counters`, { headers: { authorization: `Bearer ${E2E_ADMIN_TOKEN}` } })
      ).json()) as { kvReads: number };
    const before = (await counters()).kvReads;
    for (let round = 0; round < 10; round++) {
      const statuses = await Promise.all(
        Array.from({ length: 100 }, () =>
          fetch(`${keygate.url}/forms/1`, { headers: { authorization: `Bearer ${key}`, 'x-test-tag': 'e2e-flight' } }).then(
            (r) => r.status,
          ),
        ),
      );
      expect(statuses).toEqual(Array(100).fill(200));
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await counters()).kvReads - before).toBeLessThan(1000);
  });

  it('F30: raw dot segments never escape the scope: refused, or authorized on exactly the path forwarded', async () => {
    const { key } = await newKey();
    // [raw path, the path the origin may see (null: must be refused)]
    const cases: [string, string | null][] = [
      ['/forms/../_keygate/v1/projects', null],
      ['/forms/../secret', null],
      ['/forms/%2e%2e/secret', null],
      ['/forms/..%2fsecret', null],
      ['//forms/x', null],
      ['/forms/..;/secret', null],
      ['/forms/x;/../../secret', null],
      ['/forms\\..\\secret', null],
      ['/forms/%c0%ae%c0%ae/secret', null],
      ['/forms/%u002e%u002e/secret', null],
      ['/forms/%ef%bc%8e%ef%bc%8e/secret', null],
      ['/forms/%252e%252e/secret', null],
      ['/forms/x%00/../../secret', null],
      ['/forms/\uff0e\uff0e/secret', null],
      ['/forms/./x', '/forms/x'],
      ['/forms/a/../x', '/forms/x'],
    ];
    for (const [path, forwarded] of cases) {
      const tag = `e2e-dots-${Buffer.from(path).toString('hex')}`;
      const reply = await rawRequest(
        `GET ${path} HTTP/1.1\r\nHost: api.example.com\r\nAuthorization: Bearer ${key}\r\nX-Test-Tag: ${tag}\r\nConnection: close\r\n\r\n`,
      );
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1]);
      if (forwarded === null) {
        expect([400, 401, 403, 404], `${path}: ${reply.slice(0, 60)}`).toContain(status);
        expect(await calls(tag), path).toEqual([]);
      } else {
        expect(status, path).toBe(200);
        expect((await calls(tag)).map((c) => c.url)).toEqual([forwarded]);
      }
    }
  });

  it('an origin that stalls mid-body: the connection to the client ends after ORIGIN_BODY_IDLE_TIMEOUT_MS', async () => {
    const { key } = await newKey();
    for (const stall of ['length', 'chunked']) {
      const tag = `e2e-stall-${stall}`;
      const started = Date.now();
      const res = await fetch(`${keygate.url}/forms/1`, {
        headers: { authorization: `Bearer ${key}`, 'x-test-tag': tag, 'x-test-stall': stall },
      });
      expect(res.status, stall).toBe(200);
      // What arrives before the cut is at most the start the origin sent (workerd may not have flushed it).
      let received = '';
      const reader = res.body!.getReader();
      const read = async () => {
        for (let r = await reader.read(); !r.done; r = await reader.read()) received += new TextDecoder().decode(r.value);
      };
      await expect(read(), stall).rejects.toThrow();
      expect('partial body\n'.startsWith(received), stall).toBe(true);
      expect(Date.now() - started, stall).toBeGreaterThanOrEqual(450);
      expect(Date.now() - started, stall).toBeLessThan(5000);
      await fetch(`${originUrl}/__release/${tag}`);
    }
  });

  it('F54: ambiguous framing never smuggles a request past keygate', async () => {
    const { key } = await newKey();
    // Content-Length and Transfer-Encoding together: workerd (like Cloudflare's edge) frames by
    // Transfer-Encoding and drops Content-Length, so keygate and the origin read the same message —
    // keygate re-frames every request it forwards. The connection is closed after the answer (RFC
    // 9112 §6.1), so a request hidden after the chunked body is never read, let alone forwarded.
    const smuggled = 'GET /forms/smuggled HTTP/1.1\r\nHost: a\r\nX-Test-Tag: e2e-smuggled\r\n\r\n';
    const clte = await rawRequest(
      `POST /forms/1 HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer ${key}\r\nX-Test-Tag: e2e-cl-te\r\nContent-Length: ${5 + smuggled.length}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`,
      2,
    );
    const statuses = [...clte.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
    expect(statuses).toEqual([200]);
    expect(await calls('e2e-smuggled')).toEqual([]);
    const [forwarded] = await calls('e2e-cl-te');
    expect(forwarded?.bodyBytes).toBe(0);
    expect(forwarded?.headers['content-length']).toBeUndefined();

    // Two different Content-Length values: refused before the Worker, never forwarded.
    const clcl = await rawRequest(
      `POST /forms/1 HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer ${key}\r\nX-Test-Tag: e2e-cl-cl\r\nContent-Length: 4\r\nContent-Length: 5\r\nConnection: close\r\n\r\nabcde`,
    );
    expect(clcl).toMatch(/^HTTP\/1\.1 400/);
    expect(await calls('e2e-cl-cl')).toEqual([]);
  });

  it('A1: a key sent over plain http is refused without a redirect, exposed, and stays revoked after a restart', async () => {
    const { key, id } = await newKey();
    keygate = await stack.restart(false);
    expect(keygate.url.startsWith('http://')).toBe(true);
    const res = await fetch(`${keygate.url}/forms/1`, {
      headers: { authorization: `Bearer ${key}`, 'x-test-tag': 'e2e-http' },
      redirect: 'manual',
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('strict-transport-security')).toBeNull();
    expect(((await res.json()) as { type: string }).type).toBe('/_keygate/problems/https-required');
    keygate = await stack.restart(true);
    expect(await admin('GET', `/keys/${id}`)).toMatchObject({ status: 'revoked', exposed: true, exposedReason: 'http' });
    const again = await fetch(`${keygate.url}/forms/1`, { headers: { authorization: `Bearer ${key}`, 'x-test-tag': 'e2e-http' } });
    expect(again.status).toBe(401);
    expect(await calls('e2e-http')).toEqual([]);
  });
});
