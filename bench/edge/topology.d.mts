// Types of topology.mjs for the TypeScript tests that start an edge (test/e2e/edge.e2e.test.ts).
import type { Miniflare } from 'miniflare';

export interface EdgeLocationSpec {
  name: string;
  region: string;
  isolates: number;
}
export interface EdgeIsolate {
  name: string;
  url: string;
}
export interface EdgeLocation extends EdgeLocationSpec {
  isolates: EdgeIsolate[];
  bare: string;
  profile?: string;
}
export interface Edge {
  mf: Miniflare;
  adminUrl: string;
  locations: EdgeLocation[];
  counters(reset?: boolean): Promise<Record<string, Record<string, number>>>;
  setFaults(faults: Record<string, unknown>): Promise<void>;
  dispose(): Promise<void>;
}
export const GEO: Record<string, { continent: string; country: string; longitude: string }>;
export function startEdge(options: {
  script: string;
  bareScript: string;
  objects: Record<string, { className: string }>;
  locations: Omit<EdgeLocationSpec, 'isolates'>[] & { isolates: number }[];
  vars: Record<string, string>;
  delays: Record<string, number>;
  faults?: Record<string, unknown>;
  persist?: string;
}): Promise<Edge>;
export function seedEdgeKeys(
  adminUrl: string,
  token: string,
  count: number,
  fields?: Record<string, unknown>,
): Promise<{ id: string; key: string }[]>;
