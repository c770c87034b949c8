// The admin API's answers as the dashboard uses them (src/admin/responses.ts is the contract).

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Project {
  id: string;
  name: string;
  description: string | null;
  createdAt: string;
}

export interface Key {
  id: string;
  projectId: string;
  name: string;
  start: string;
  environment: 'live' | 'test';
  scopes: string[];
  status: 'active' | 'disabled' | 'revoked' | 'expired';
  exposed: boolean;
  exposedReason: 'http' | 'url' | null;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  rotatedTo: string | null;
  rateLimits: { name: string; limit: number; windowSeconds: number }[];
  quota: { limit: number; period: 'day' | 'month'; remaining: number } | null;
}

export interface KeyCreated extends Key {
  key: string;
}

export interface Usage {
  from: string;
  to: string;
  granularity: 'minute' | 'hour' | 'day';
  total: number;
  byOutcome: Record<string, number>;
  denials: Record<string, number>;
  series: { start: string; total: number; groups: Record<string, number> }[];
  topRoutes: { route: string | null; count: number }[];
  topKeys: { keyId: string; count: number }[];
}

export interface RequestLogEntry {
  at: string;
  requestId: string;
  method: string;
  path: string;
  route: string | null;
  status: number;
  latencyMs: number;
  clientIp: string;
  country: string | null;
  outcome: string;
}
