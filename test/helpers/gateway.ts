// Calls keygate through its real entry point (src/index.ts) with real KV and Durable Objects, and
// reads what the fake origin recorded.

import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { expect } from 'vitest';
import worker from '../../src';
import type { RecordedCall } from './origin-types';

export const BASE = 'https://api.example.com';
export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

export type Overrides = Partial<Record<string, unknown>>;

let ipCounter = 1;
/** A fresh client address (TEST-NET-3) so failure counting of one test never spills into another. */
export function freshIp(): string {
  ipCounter++;
  return `203.0.${Math.floor(ipCounter / 250) % 250}.${(ipCounter % 250) + 1}`;
}

/** Sends a request through keygate. Unless given, CF-Connecting-IP is a fresh address. */
export async function gateway(input: string, init: RequestInit = {}, overrides: Overrides = {}): Promise<Response> {
  const request = new Request(input.startsWith('http') ? input : BASE + input, init);
  if (!request.headers.has('cf-connecting-ip')) request.headers.set('cf-connecting-ip', freshIp());
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, { ...env, ...overrides } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/**
 * Like `gateway`, but answers as soon as the response is there, as a real client sees it: work the
 * Worker left to waitUntil (lease returns, delayed flushes) goes on in the background.
 */
export async function gatewayNoWait(input: string, init: RequestInit = {}, overrides: Overrides = {}): Promise<Response> {
  const request = new Request(input.startsWith('http') ? input : BASE + input, init);
  if (!request.headers.has('cf-connecting-ip')) request.headers.set('cf-connecting-ip', freshIp());
  return worker.fetch(request, { ...env, ...overrides } as Env, createExecutionContext());
}

let tagCounter = 0;
/** A unique tag: the fake origin files what it receives under it. */
export function newTag(): string {
  return `t${Date.now().toString(36)}-${++tagCounter}-${Math.random().toString(36).slice(2, 8)}`;
}

export async function originCalls(tag: string): Promise<RecordedCall[]> {
  const res = await fetch(`${env.ORIGIN_URL}/__calls/${tag}`);
  return (await res.json()) as RecordedCall[];
}

export async function releaseOrigin(tag: string): Promise<void> {
  await fetch(`${env.ORIGIN_URL}/__release/${tag}`);
}

/** Waits (up to 2 s) for the origin to see its first call under `tag` broken off by keygate. */
export async function expectOriginAborted(tag: string, what?: string): Promise<void> {
  let aborted = false;
  for (let i = 0; i < 100 && !aborted; i++) {
    aborted = (await originCalls(tag))[0]?.aborted === true;
    if (!aborted) await new Promise((r) => setTimeout(r, 20));
  }
  expect(aborted, what).toBe(true);
}

export async function expectNoOriginCall(tag: string): Promise<void> {
  expect(await originCalls(tag)).toEqual([]);
}

/** A call with key `key` (Bearer), tagged for the origin. */
export function withKey(key: string, tag: string, headers: Record<string, string> = {}): RequestInit {
  return { headers: { authorization: `Bearer ${key}`, 'x-test-tag': tag, ...headers } };
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  requestId: string;
  [member: string]: unknown;
}

/** Asserts `res` is the problem `type` (by name: the body carries its URI) with the wire properties every problem has. */
export async function expectProblem(res: Response, type: string, status: number): Promise<Problem> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  const requestId = res.headers.get('x-request-id');
  expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
  expect(res.headers.get('location')).toBeNull();
  const body = (await res.json()) as Problem;
  expect(body).toMatchObject({ type: `/_keygate/problems/${type}`, status, requestId });
  expect(JSON.stringify(body)).not.toMatch(/stack|at .*\.ts/);
  return body;
}
