// keygate's configuration: one zod schema over every var and secret it reads (README
// "Configuration"), composed from the per-feature settings beside this file. The raw bindings'
// types (Bindings) and the parsed Config both come from it, and so do its errors: an invalid
// setting fails closed at the first request with a ConfigError naming it (500 misconfigured).

import { z } from 'zod';
import { ACCESS_SETTINGS } from './access';
import { CORS_SETTINGS } from './cors';
import { FEED_SETTINGS, freshnessOptions } from './feed';
import { GITHUB_KEY_SETTINGS, githubKeysUrl } from './github-keys';
import { LIMIT_SETTINGS } from './limits';
import { ORIGIN_SETTINGS, originBase } from './origin';
import { RUNTIME_SETTINGS } from './runtime';
import { parseSettings } from './setting';
import { checkServiceBindings, UPSTREAM_SETTINGS, upstreamRouting } from './upstreams';
import { WEBHOOK_SETTINGS, webhookConfig } from './webhooks';

export type { CorsPolicy } from './cors';
export type { FeedFailurePolicy, FreshnessOptions } from './feed';

/** Every setting by its binding's name; the order is the order bad settings are reported in. */
const SETTINGS = {
  ...ACCESS_SETTINGS,
  ...ORIGIN_SETTINGS,
  ...UPSTREAM_SETTINGS,
  ...LIMIT_SETTINGS,
  ...FEED_SETTINGS,
  ...CORS_SETTINGS,
  ...GITHUB_KEY_SETTINGS,
  ...RUNTIME_SETTINGS,
  ...WEBHOOK_SETTINGS,
};

const settingsSchema = z.object(SETTINGS);

export const configSchema = settingsSchema.transform((s, ctx) => ({
  keyPrefix: s.KEY_PREFIX,
  /** The origin's response body may pause this long between chunks before the stream is aborted; 0 = no limit. */
  originBodyIdleTimeoutMs: s.ORIGIN_BODY_IDLE_TIMEOUT_MS,
  authTimeoutMs: s.AUTH_TIMEOUT_MS,
  /** A key's limiter slower than this ⇒ 503 auth-unavailable (hard limits fail closed). */
  limiterTimeoutMs: s.LIMITER_TIMEOUT_MS,
  /** In-isolate key cache TTL; 0 disables the cache (benchmarks). */
  keyCacheTtlMs: s.KEY_CACHE_TTL_MS,
  /** BENCH_MODE=true: exposes storage counters at /_keygate/v1/bench/counters (admin token). */
  benchMode: s.BENCH_MODE,
  logLevel: s.LOG_LEVEL,
  routes: s.ROUTES,
  exposedKeyPolicy: s.EXPOSED_KEY_POLICY,
  /** What a leak report (GitHub secret scanning) does to a real key. */
  leakedKeyPolicy: s.LEAKED_KEY_POLICY,
  /** GITHUB_SECRET_SCANNING_KEYS: the signing keys GitHub's reports are verified against. */
  githubKeys: s.GITHUB_SECRET_SCANNING_KEYS,
  /** GITHUB_KEYS_URL: where GitHub publishes its signing keys (fetched when an identifier is unknown); null = never. */
  githubKeysUrl: githubKeysUrl(s, ctx),
  cors: s.CORS_ALLOWED_ORIGINS,
  /** FEED_TIMEOUT_MS, FEED_FAILURE_POLICY, FEED_KEEP_FRESH_MS: the change feed on the request path. */
  feed: freshnessOptions(s),
  /** Failed authentications per client address per minute before 429 too-many-failures; 0 = off. */
  authFailureLimit: s.AUTH_FAILURE_LIMIT,
  /** The same for wrong admin tokens (a separate count); 0 = off. */
  adminAuthFailureLimit: s.ADMIN_AUTH_FAILURE_LIMIT,
  /** Usage: an isolate flushes its batch at most this often (0 = after every call)… */
  usageFlushMs: s.USAGE_FLUSH_MS,
  /** …or as soon as it holds this many calls. */
  usageFlushEvents: s.USAGE_FLUSH_EVENTS,
  /** ORIGIN_SIGNING_KEY: when set, every origin request carries an RFC 9421 signature (unless its upstream says `sign: false`). */
  originSigning: s.ORIGIN_SIGNING_KEY,
  /** Lifecycle webhooks; null when WEBHOOK_URL is unset. */
  webhooks: webhookConfig(s, ctx),
  /** Where each call goes: ORIGIN_URL, or the upstream (UPSTREAMS) its route rule names. */
  upstreams: upstreamRouting(
    { name: 'origin', base: originBase(s, ctx), service: null, timeoutMs: s.ORIGIN_TIMEOUT_MS, signing: s.ORIGIN_SIGNING_KEY },
    s.UPSTREAMS,
    s.ROUTES,
    { localDev: s.LOCAL_DEV, allowHttp: s.ALLOW_HTTP_ORIGIN },
    ctx,
  ),
}));

/** The name of every setting the schema reads, in its order. */
export const SETTING_NAMES = Object.keys(SETTINGS) as readonly (keyof typeof SETTINGS)[];

/** The Worker's bindings: the platform's (worker-configuration.d.ts) and every setting as bound. */
export type Bindings = Env & z.input<typeof settingsSchema>;
export type Config = z.output<typeof configSchema>;

/** Builds the Config from raw bindings; throws ConfigError naming the first bad setting, or an upstream's missing service binding. */
export function parseConfig(env: Bindings): Config {
  const config = parseSettings(configSchema, env);
  checkServiceBindings(config.upstreams.named, env);
  return config;
}

let cached: { env: Bindings; raw: unknown[]; config: Config } | undefined;

/** The parsed config, reused while the env object — or else every setting's raw value — is the same as last time. */
export function configFor(env: Bindings): Config {
  if (cached !== undefined && cached.env === env) return cached.config;
  const raw = SETTING_NAMES.map((name) => env[name]);
  if (cached && cached.raw.every((v, i) => v === raw[i])) {
    cached.env = env;
    return cached.config;
  }
  const config = parseConfig(env);
  cached = { env, raw, config };
  return config;
}
