// Types of keygate's Hono middleware (index.mjs). KeygateResult is what the KeygateVerifier
// entrypoint's verify() returns: src/verify/outcome.ts builds it under these very types.

import type { Context, MiddlewareHandler } from 'hono';

/** One limit of the key, as the RateLimit fields report it. */
export interface KeygateLimit {
  policy: string;
  window: number;
  limit: number;
  remaining: number;
  reset: number;
}

/** The answer the data plane would have given. */
export interface KeygateRefusal {
  status: number;
  /** The problem+json body (RFC 9457), as the data plane renders it. */
  problem: Record<string, unknown>;
  /** Its headers: WWW-Authenticate, Retry-After, the RateLimit fields, Allow… */
  headers: Record<string, string>;
}

export interface KeygateResult {
  valid: boolean;
  /** 'allowed', or the problem type the data plane would have answered (README "Problem types"). */
  code: string;
  keyId: string | null;
  projectId: string | null;
  customerId?: string;
  externalId?: string;
  environment: 'live' | 'test' | null;
  scopes: string[];
  /** The key's limits after this call (null for a key without limits); `retryAfter` on a 429. */
  ratelimit: { policies: KeygateLimit[]; retryAfter: number | null } | null;
  requestId: string;
  refusal: KeygateRefusal | null;
}

export interface KeygateVerifierBinding {
  verify(input: { key: string; method?: string; path: string; clientIp?: string }): Promise<KeygateResult>;
}

export interface KeygateAuthOptions {
  /** The service binding's name in c.env (default "KEYGATE"). */
  binding?: string;
  /** The bound verifier, when it is not `c.env[binding]`. */
  verifier?: (c: Context) => KeygateVerifierBinding | undefined;
  /** The caller's address (default: CF-Connecting-IP). */
  clientIp?: (c: Context) => string | undefined;
  /** Where the outcome is set in the context (default "keygate"). */
  contextKey?: string;
}

export declare function keygateAuth(options?: KeygateAuthOptions): MiddlewareHandler;
