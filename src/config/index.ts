// The configuration parsed and validated once per distinct set of raw values: invalid
// configuration fails closed at the first request.

import { PREFIX_PATTERN } from '../core/key-format';
import { ConfigError } from '../errors/config-error';
import { parseRoutes, type RouteRule } from '../core/route-rules';
import { isLogLevel, type LogLevel } from '../log';
import { parseSigningKey, type SigningKey } from '../signing/key';
import { parseGithubKeys, parseKeysUrl, type PublicKeyEntry } from './github-keys';
import type { ExposurePolicy } from '../core/key-record';
import { isLocationHint, LOCATION_HINTS } from '../core/placement';
import { parseWebhookConfig, type WebhookBindings, type WebhookConfig } from './webhooks';

/** CORS_ALLOWED_ORIGINS: the browser origins whose preflights are answered (edge/cors.ts). */
export interface CorsPolicy {
  origins: ReadonlySet<string>;
}

/** FEED_FAILURE_POLICY: what a call does when the change feed cannot be read in time. */
export type FeedFailurePolicy = 'refuse' | 'serve-stale';

export interface FreshnessOptions {
  timeoutMs: number;
  policy: FeedFailurePolicy;
  /** How long a call keeps the background refresh going; 0: none (calls refresh on their own). */
  keepFreshMs: number;
}

export interface Config {
  keyPrefix: string;
  /** ORIGIN_URL without a trailing slash; the request path and query are appended. */
  originBase: string;
  originTimeoutMs: number;
  /** The origin's response body may pause this long between chunks before the stream is aborted; 0 = no limit. */
  originBodyIdleTimeoutMs: number;
  authTimeoutMs: number;
  /** A key's limiter slower than this ⇒ 503 auth-unavailable (hard limits fail closed). */
  limiterTimeoutMs: number;
  /** In-isolate key cache TTL; 0 disables the cache (benchmarks). */
  keyCacheTtlMs: number;
  /** BENCH_MODE=true: exposes storage counters at /_keygate/v1/bench/counters (admin token). */
  benchMode: boolean;
  logLevel: LogLevel;
  routes: RouteRule[] | null;
  exposedKeyPolicy: 'revoke' | 'flag';
  /** What a leak report (GitHub secret scanning) does to a real key. */
  leakedKeyPolicy: ExposurePolicy;
  /** GITHUB_SECRET_SCANNING_KEYS: the signing keys GitHub's reports are verified against. */
  githubKeys: PublicKeyEntry[];
  /** GITHUB_KEYS_URL: where GitHub publishes its signing keys (fetched when an identifier is unknown); null = never. */
  githubKeysUrl: string | null;
  cors: CorsPolicy;
  /** FEED_TIMEOUT_MS, FEED_FAILURE_POLICY, FEED_KEEP_FRESH_MS: the change feed on the request path. */
  feed: FreshnessOptions;
  /** Failed authentications per client address per minute before 429 too-many-failures; 0 = off. */
  authFailureLimit: number;
  /** The same for wrong admin tokens (a separate count); 0 = off. */
  adminAuthFailureLimit: number;
  /** Usage: an isolate flushes its batch at most this often (0 = after every call)… */
  usageFlushMs: number;
  /** …or as soon as it holds this many calls. */
  usageFlushEvents: number;
  /** ORIGIN_SIGNING_KEY: when set, every origin request carries an RFC 9421 signature. */
  originSigning: SigningKey | null;
  /** Lifecycle webhooks; null when WEBHOOK_URL is unset. */
  webhooks: WebhookConfig | null;
}

export type Bindings = Env &
  WebhookBindings & {
    ALLOW_HTTP_ORIGIN?: string;
    AUTH_TIMEOUT_MS?: string;
    LIMITER_TIMEOUT_MS?: string;
    FEED_TIMEOUT_MS?: string;
    FEED_FAILURE_POLICY?: string;
    FEED_KEEP_FRESH_MS?: string;
    REGISTRY_LOCATION_HINT?: string;
    ORIGIN_BODY_IDLE_TIMEOUT_MS?: string;
    CORS_ALLOWED_ORIGINS?: string;
    AUTH_FAILURE_LIMIT?: string;
    ADMIN_AUTH_FAILURE_LIMIT?: string;
    KEY_CACHE_TTL_MS?: string;
    BENCH_MODE?: string;
    LOG_LEVEL?: string;
    USAGE_FLUSH_MS?: string;
    USAGE_FLUSH_EVENTS?: string;
    ORIGIN_SIGNING_KEY?: string;
    LEAKED_KEY_POLICY?: string;
    GITHUB_SECRET_SCANNING_KEYS?: unknown;
    GITHUB_KEYS_URL?: string;
  };

function positiveInt(raw: unknown, name: string, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${name} must be a non-negative integer`);
  return n;
}

function boundedInt(raw: unknown, name: string, fallback: number, max: number, min = 0): number {
  const n = positiveInt(raw, name, fallback);
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}`);
  return n;
}

function originBase(raw: unknown, allowHttp: boolean): string {
  if (typeof raw !== 'string' || raw === '') throw new ConfigError('ORIGIN_URL is not set');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('ORIGIN_URL is not a URL');
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && (loopback || allowHttp))) {
    throw new ConfigError('ORIGIN_URL must be https (http only for loopback or with ALLOW_HTTP_ORIGIN)');
  }
  if (url.search || url.hash || url.username) throw new ConfigError('ORIGIN_URL must not carry a query, fragment or credentials');
  return url.href.replace(/\/$/, '');
}

function parseCorsOrigins(raw: unknown): CorsPolicy {
  if (raw === undefined || raw === '') return { origins: new Set() };
  if (typeof raw !== 'string') throw new ConfigError('CORS_ALLOWED_ORIGINS must be a comma-separated string');
  const origins = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const origin of origins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) throw new ConfigError(`CORS_ALLOWED_ORIGINS: "${origin}" is not an origin`);
  }
  return { origins: new Set(origins) };
}

function parseLeakedKeyPolicy(raw: unknown): ExposurePolicy {
  if (raw === undefined || raw === '') return 'revoke';
  if (raw !== 'revoke' && raw !== 'disable' && raw !== 'flag')
    throw new ConfigError('LEAKED_KEY_POLICY must be "revoke", "disable" or "flag"');
  return raw;
}

function parseFeedFailurePolicy(raw: unknown): FeedFailurePolicy {
  if (raw === undefined || raw === '') return 'refuse';
  if (raw !== 'refuse' && raw !== 'serve-stale') throw new ConfigError('FEED_FAILURE_POLICY must be "refuse" or "serve-stale"');
  return raw;
}

function checkLocationHint(raw: unknown): void {
  if (raw !== undefined && raw !== '' && !isLocationHint(raw))
    throw new ConfigError(`REGISTRY_LOCATION_HINT must be one of ${LOCATION_HINTS.join(', ')}`);
}

function parseLogLevel(raw: unknown): LogLevel {
  if (raw === undefined || raw === '') return 'info';
  if (typeof raw !== 'string' || !isLogLevel(raw)) throw new ConfigError('LOG_LEVEL must be debug, info, warn or error');
  return raw;
}

/** Builds the Config from raw bindings; throws ConfigError naming the first bad setting. */
export function parseConfig(env: Bindings): Config {
  const keyPrefix = env.KEY_PREFIX || 'kg';
  if (!PREFIX_PATTERN.test(keyPrefix)) throw new ConfigError('KEY_PREFIX must match [a-z][a-z0-9]{1,15}');
  const policy = env.EXPOSED_KEY_POLICY || 'revoke';
  checkLocationHint(env.REGISTRY_LOCATION_HINT);
  if (policy !== 'revoke' && policy !== 'flag') throw new ConfigError('EXPOSED_KEY_POLICY must be "revoke" or "flag"');
  return {
    keyPrefix,
    originBase: originBase(env.ORIGIN_URL, env.ALLOW_HTTP_ORIGIN === 'true'),
    originTimeoutMs: positiveInt(env.ORIGIN_TIMEOUT_MS, 'ORIGIN_TIMEOUT_MS', 30_000),
    originBodyIdleTimeoutMs: boundedInt(env.ORIGIN_BODY_IDLE_TIMEOUT_MS, 'ORIGIN_BODY_IDLE_TIMEOUT_MS', 100_000, 3_600_000),
    authTimeoutMs: positiveInt(env.AUTH_TIMEOUT_MS, 'AUTH_TIMEOUT_MS', 1_500),
    limiterTimeoutMs: boundedInt(env.LIMITER_TIMEOUT_MS, 'LIMITER_TIMEOUT_MS', 5_000, 60_000, 1),
    keyCacheTtlMs: positiveInt(env.KEY_CACHE_TTL_MS, 'KEY_CACHE_TTL_MS', 60_000),
    benchMode: env.BENCH_MODE === 'true',
    logLevel: parseLogLevel(env.LOG_LEVEL),
    routes: parseRoutes(env.ROUTES),
    exposedKeyPolicy: policy,
    leakedKeyPolicy: parseLeakedKeyPolicy(env.LEAKED_KEY_POLICY),
    githubKeys: parseGithubKeys(env.GITHUB_SECRET_SCANNING_KEYS),
    githubKeysUrl: parseKeysUrl(env.GITHUB_KEYS_URL),
    cors: parseCorsOrigins(env.CORS_ALLOWED_ORIGINS),
    feed: {
      timeoutMs: boundedInt(env.FEED_TIMEOUT_MS, 'FEED_TIMEOUT_MS', 1_000, 10_000, 1),
      policy: parseFeedFailurePolicy(env.FEED_FAILURE_POLICY),
      // At most 25 s: Cloudflare ends a request's waitUntil work 30 s after its response.
      keepFreshMs: boundedInt(env.FEED_KEEP_FRESH_MS, 'FEED_KEEP_FRESH_MS', 25_000, 25_000),
    },
    authFailureLimit: positiveInt(env.AUTH_FAILURE_LIMIT, 'AUTH_FAILURE_LIMIT', 100),
    adminAuthFailureLimit: positiveInt(env.ADMIN_AUTH_FAILURE_LIMIT, 'ADMIN_AUTH_FAILURE_LIMIT', 10),
    usageFlushMs: boundedInt(env.USAGE_FLUSH_MS, 'USAGE_FLUSH_MS', 1_000, 10_000),
    usageFlushEvents: boundedInt(env.USAGE_FLUSH_EVENTS, 'USAGE_FLUSH_EVENTS', 500, 5_000, 1),
    originSigning: parseSigningKey(env.ORIGIN_SIGNING_KEY),
    webhooks: parseWebhookConfig(env),
  };
}

const RAW_FIELDS = [
  'KEY_PREFIX',
  'ORIGIN_URL',
  'ALLOW_HTTP_ORIGIN',
  'ORIGIN_TIMEOUT_MS',
  'ORIGIN_BODY_IDLE_TIMEOUT_MS',
  'AUTH_TIMEOUT_MS',
  'LIMITER_TIMEOUT_MS',
  'FEED_TIMEOUT_MS',
  'FEED_FAILURE_POLICY',
  'FEED_KEEP_FRESH_MS',
  'REGISTRY_LOCATION_HINT',
  'ROUTES',
  'EXPOSED_KEY_POLICY',
  'CORS_ALLOWED_ORIGINS',
  'AUTH_FAILURE_LIMIT',
  'ADMIN_AUTH_FAILURE_LIMIT',
  'KEY_CACHE_TTL_MS',
  'BENCH_MODE',
  'LOG_LEVEL',
  'USAGE_FLUSH_MS',
  'USAGE_FLUSH_EVENTS',
  'ORIGIN_SIGNING_KEY',
  'LEAKED_KEY_POLICY',
  'GITHUB_SECRET_SCANNING_KEYS',
  'GITHUB_KEYS_URL',
  'WEBHOOK_URL',
  'WEBHOOK_SECRET',
  'WEBHOOK_TIMEOUT_MS',
  'WEBHOOK_RETRY_DELAYS_MS',
] as const;
let cached: { env: Bindings; raw: unknown[]; config: Config } | undefined;

/** The parsed config, reused while the env object — or else every raw value — is the same as last time. */
export function configFor(env: Bindings): Config {
  if (cached !== undefined && cached.env === env) return cached.config;
  const raw = RAW_FIELDS.map((f) => env[f]);
  if (cached && cached.raw.every((v, i) => v === raw[i])) {
    cached.env = env;
    return cached.config;
  }
  const config = parseConfig(env);
  cached = { env, raw, config };
  return config;
}
