// A refused known key (revoked, disabled, expired) and an unknown key do the same
// work before their 401 is returned, so the time of the answer does not tell whether a key was ever
// real. Asserted structurally, never by timing: at the moment the response is handed back, neither
// has written a log line, both have made the same storage calls and scheduled the same background
// work; the log line and the usage entry follow after the response. (Timing is measured, not
// tested: `node scripts/refusal-timing.mjs`.)

import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import worker from '../src';
import { storageCounters } from '../src/bench-counters';
import { generateKey } from '../src/core/key-format';
import { memory } from '../src/edge/memory';
import { adminJson, createKey } from './helpers/admin';
import { BASE, expectNoOriginCall, freshIp, newTag, withKey } from './helpers/gateway';

const lines: string[] = [];
beforeEach(() => {
  lines.length = 0;
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
  }
});
afterEach(() => vi.restoreAllMocks());

interface Trace {
  status: number;
  /** At the moment the response was handed back. */
  atResponse: { lines: number; waitUntil: number; storage: Record<string, number> };
  /** Once the background work finished. */
  after: string[];
}

/** An execution context that counts the background work scheduled on it (waitUntil). */
function countingContext(): { ctx: ExecutionContext; waits: () => number } {
  const ctx = createExecutionContext();
  let waits = 0;
  const register = ctx.waitUntil.bind(ctx);
  ctx.waitUntil = (promise: Promise<unknown>) => {
    waits++;
    register(promise);
  };
  return { ctx, waits: () => waits };
}

/** One call with `key`, traced (LOG_LEVEL=debug, so an unknown key's refusal is logged too). */
async function trace(key: string, tag: string): Promise<Trace> {
  const { ctx, waits } = countingContext();
  const before = { ...storageCounters };
  const first = lines.length;
  const request = new Request(`${BASE}/forms/1`, withKey(key, tag, { 'cf-connecting-ip': freshIp() }));
  const res = await worker.fetch(request, { ...env, LOG_LEVEL: 'debug' } as Env, ctx);
  const storage = Object.fromEntries(Object.entries(storageCounters).map(([k, v]) => [k, v - before[k as keyof typeof before]]));
  const atResponse = { lines: lines.length - first, waitUntil: waits(), storage };
  await res.arrayBuffer();
  await waitOnExecutionContext(ctx);
  return { status: res.status, atResponse, after: lines.slice(first) };
}

describe('refusals of known and unknown keys', () => {
  it('do the same work before the response, and log only after it', async () => {
    const revoked = await createKey();
    await adminJson('POST', `/keys/${revoked.id}/revoke`);
    const disabled = await createKey();
    await adminJson('PATCH', `/keys/${disabled.id}`, { enabled: false });
    const expired = await createKey({ expiresAt: new Date(Date.now() + 1000).toISOString() });
    await new Promise((r) => setTimeout(r, 1100));
    const keys = { unknown: generateKey('kg', 'live'), revoked: revoked.key, disabled: disabled.key, expired: expired.key };
    const tag = newTag();

    // First calls load each key's record (or its absence) into this isolate; the admin calls above
    // already taught it the known keys, so these are not alike and only their logging is checked.
    const cold: Trace[] = [];
    for (const key of Object.values(keys)) cold.push(await trace(key, tag));
    // Then the calls that an attacker would time: each answered from the cache.
    const warm: Record<string, Trace> = {};
    for (const [kind, key] of Object.entries(keys)) warm[kind] = await trace(key, tag);

    for (const t of [...cold, ...Object.values(warm)]) {
      expect(t.status).toBe(401);
      expect(t.atResponse.lines).toBe(0); // nothing written before the answer
    }
    expect(new Set(Object.values(warm).map((t) => JSON.stringify(t.atResponse))).size).toBe(1);
    expect(warm.unknown?.atResponse.storage).toMatchObject({ kvReads: 0 });
    // The line follows the response, with the reason and (known keys only) the key id.
    for (const [kind, t] of Object.entries(warm)) {
      const line = t.after.find((l) => l.includes('"msg":"key refused"'));
      expect(line, kind).toBeDefined();
      expect(JSON.parse(line as string)).toMatchObject({ reason: kind, ...(kind === 'unknown' ? {} : { level: 'info' }) });
    }
    await expectNoOriginCall(tag);
  });

  it('an expired key read from KV is cached like an unknown one: no KV read per call', async () => {
    const expired = await createKey({ expiresAt: new Date(Date.now() + 1000).toISOString() });
    await new Promise((r) => setTimeout(r, 1100));
    memory.keys.reset(); // as in an isolate that did not make the change: the record comes from KV
    const tag = newTag();
    for (const key of [expired.key, generateKey('kg', 'live')]) {
      expect((await trace(key, tag)).atResponse.storage).toMatchObject({ kvReads: 1 });
      expect((await trace(key, tag)).atResponse.storage).toMatchObject({ kvReads: 0 });
    }
    await expectNoOriginCall(tag);
  });

  it('refusals in flight together share one timer for their deferred work, which runs it all', async () => {
    const tag = newTag();
    const keys = Array.from({ length: 12 }, () => generateKey('kg', 'live'));
    for (const key of keys) await trace(key, tag); // each unknown key's absence now cached: no I/O below
    const logged = lines.length;
    const calls = keys.map((key) => {
      const { ctx, waits } = countingContext();
      const request = new Request(`${BASE}/forms/1`, withKey(key, tag, { 'cf-connecting-ip': freshIp() }));
      return { ctx, waits, response: worker.fetch(request, { ...env, LOG_LEVEL: 'debug' } as Env, ctx) };
    });
    const statuses = await Promise.all(calls.map(async (call) => (await call.response).status));
    expect(statuses.every((status) => status === 401)).toBe(true);
    // One request armed the timer and waits on it; the others only queued their work.
    expect(calls.map((call) => call.waits()).reduce((a, b) => a + b, 0)).toBe(1);
    expect(lines.length).toBe(logged); // still nothing logged
    for (const call of calls) await waitOnExecutionContext(call.ctx);
    // Every request's deferred work ran (its log line) in the one timer.
    expect(lines.slice(logged).filter((l) => l.includes('"msg":"key refused"'))).toHaveLength(keys.length);
    await expectNoOriginCall(tag);
  });
});
