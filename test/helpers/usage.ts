// Usage as tests read it: a private set of usage shards per test (so counts from other test files
// never mix in), and the admin analytics routes read through the same override.

import { env } from 'cloudflare:test';
import { expect } from 'vitest';
import { adminCall } from './admin';
import type { Overrides } from './gateway';

/** A USAGE namespace whose shards are this test's own (names prefixed with a tag). */
export function privateUsage(tag: string, wrap?: (stub: DurableObjectStub) => unknown): Overrides {
  const namespace = {
    idFromName: (name: string) => env.USAGE.idFromName(`${tag}/${name}`),
    get: (id: DurableObjectId) => (wrap ? wrap(env.USAGE.get(id)) : env.USAGE.get(id)),
  };
  return { USAGE: namespace };
}

export interface UsageAnswer {
  keyId: string | null;
  projectId: string | null;
  from: string;
  to: string;
  granularity: string;
  groupBy: string;
  total: number;
  byOutcome: Record<string, number>;
  byStatus: Record<string, number>;
  denials: Record<string, number>;
  series: { start: string; total: number; groups: Record<string, number> }[];
  topRoutes: { route: string | null; count: number }[];
  topKeys: { keyId: string; count: number }[];
}

export async function usageOf(path: string, overrides: Overrides = {}): Promise<UsageAnswer> {
  const res = await adminCall('GET', path, undefined, overrides);
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return JSON.parse(text) as UsageAnswer;
}
