// UPSTREAMS: the backends a route rule may send its calls to, besides ORIGIN_URL (the default). A
// JSON object (a TOML table, or its JSON text from `--var` or the dashboard) naming each upstream:
// `{ "url": "https://…" }` or `{ "service": "<binding>" }` (another Worker, bound with [[services]]),
// with an optional `timeoutMs` (default ORIGIN_TIMEOUT_MS) and `sign` (default: signed when
// ORIGIN_SIGNING_KEY is set). Everything is checked here, when the configuration is read — a URL by
// ORIGIN_URL's own rule (origin-rule.mjs), a rule naming no upstream, a binding the Worker lacks —
// so that a misconfigured upstream is 500 misconfigured on every call, never a surprise on one route.

import { z } from 'zod';
import { ConfigError } from '../errors/config-error';
import type { SigningKey } from '../signing/key';
import type { RouteRule } from '../core/route-rules';
import { originUrlProblem } from './origin-rule.mjs';

/** Where a call goes: ORIGIN_URL's settings, or one entry of UPSTREAMS. */
export interface Upstream {
  /** "origin" for ORIGIN_URL, else its name in UPSTREAMS (logs). */
  name: string;
  /** The URL the request path and query are appended to, without a trailing slash; null for a service. */
  base: string | null;
  /** The service binding's name; null for a URL. */
  service: string | null;
  /** No response headers within this long ⇒ 504 gateway-timeout. */
  timeoutMs: number;
  /** Null: calls to it go unsigned. */
  signing: SigningKey | null;
}

const NAME = /^[a-z][a-z0-9-]{0,31}$/;
const FIELDS = new Set(['url', 'service', 'timeoutMs', 'sign']);
/** ORIGIN_TIMEOUT_MS's bounds. */
const MAX_TIMEOUT_MS = 600_000;

export interface UpstreamContext {
  localDev: boolean;
  allowHttp: boolean;
  originTimeoutMs: number;
  signing: SigningKey | null;
}

function parseJson(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    throw new ConfigError('UPSTREAMS is not valid JSON');
  }
}

function target(where: string, entry: Record<string, unknown>, context: UpstreamContext): Pick<Upstream, 'base' | 'service'> {
  const { url, service } = entry;
  if ((url === undefined) === (service === undefined)) throw new ConfigError(`${where} must have exactly one of "url" and "service"`);
  if (service !== undefined) {
    if (typeof service !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(service))
      throw new ConfigError(`${where}.service must be the name of a service binding (e.g. "REPORTS")`);
    return { base: null, service };
  }
  let parsed: URL;
  try {
    parsed = new URL(url as string);
  } catch {
    throw new ConfigError(`${where}.url is not a URL`);
  }
  const problem = originUrlProblem(parsed, { localDev: context.localDev, allowHttp: context.allowHttp, name: `${where}.url` });
  if (problem !== undefined) throw new ConfigError(problem);
  return { base: parsed.href.replace(/\/$/, ''), service: null };
}

function upstream(name: string, raw: unknown, context: UpstreamContext): Upstream {
  const where = `UPSTREAMS.${name}`;
  if (!NAME.test(name)) throw new ConfigError(`UPSTREAMS: "${name}" is not an upstream name ([a-z][a-z0-9-]{0,31})`);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`${where} must be an object`);
  const entry = raw as Record<string, unknown>;
  const unknown = Object.keys(entry).find((field) => !FIELDS.has(field));
  if (unknown !== undefined) throw new ConfigError(`${where}: unknown field "${unknown}" (url, service, timeoutMs, sign)`);
  const { timeoutMs = context.originTimeoutMs, sign } = entry;
  if (!Number.isInteger(timeoutMs) || (timeoutMs as number) < 1 || (timeoutMs as number) > MAX_TIMEOUT_MS)
    throw new ConfigError(`${where}.timeoutMs must be an integer from 1 to ${MAX_TIMEOUT_MS}`);
  if (sign !== undefined && typeof sign !== 'boolean') throw new ConfigError(`${where}.sign must be true or false`);
  if (sign === true && context.signing === null) throw new ConfigError(`${where}.sign is true but ORIGIN_SIGNING_KEY is not set`);
  const signing = sign === false ? null : context.signing;
  return { name, ...target(where, entry, context), timeoutMs: timeoutMs as number, signing };
}

/** UPSTREAMS parsed: unset or empty ⇒ none. Throws ConfigError naming the entry at fault. */
export function parseUpstreams(raw: unknown, context: UpstreamContext): ReadonlyMap<string, Upstream> {
  const upstreams = new Map<string, Upstream>();
  if (raw === undefined || raw === null || raw === '') return upstreams;
  const value = parseJson(raw);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ConfigError('UPSTREAMS must be a JSON object of upstreams');
  for (const [name, entry] of Object.entries(value)) upstreams.set(name, upstream(name, entry, context));
  return upstreams;
}

/** The upstream of each route rule (by its index), or a ConfigError for a rule naming one UPSTREAMS lacks. */
export function routeUpstreams(rules: readonly RouteRule[] | null, upstreams: ReadonlyMap<string, Upstream>): (Upstream | undefined)[] {
  return (rules ?? []).map((rule) => {
    if (rule.upstream === null) return undefined;
    const found = upstreams.get(rule.upstream);
    if (found === undefined)
      throw new ConfigError(`ROUTES[${rule.index}].upstream names "${rule.upstream}", which UPSTREAMS does not define`);
    return found;
  });
}

/** Each service upstream's binding must be a Worker this one is bound to (a Fetcher): checked once, with the bindings. */
export function checkServiceBindings(upstreams: ReadonlyMap<string, Upstream>, env: object): void {
  for (const { name, service } of upstreams.values()) {
    if (service !== null && !isFetcher((env as Record<string, unknown>)[service]))
      throw new ConfigError(
        `UPSTREAMS.${name}.service names the binding "${service}", which this Worker does not have: add [[services]] binding = "${service}" to wrangler.toml`,
      );
  }
}

export function isFetcher(value: unknown): value is Fetcher {
  return typeof value === 'object' && value !== null && typeof (value as { fetch?: unknown }).fetch === 'function';
}

export const UPSTREAM_SETTINGS = {
  /** JSON object of upstreams (a TOML table or its JSON text); parsed with ORIGIN_* and ROUTES (upstreamRouting). */
  UPSTREAMS: z.unknown().optional(),
};

export interface UpstreamRouting {
  /** ORIGIN_URL's: where a call goes unless its route rule names an upstream. */
  origin: Upstream;
  /** UPSTREAMS by name. */
  named: ReadonlyMap<string, Upstream>;
  /** By route rule index: the upstream it names, undefined for ORIGIN_URL. */
  byRule: readonly (Upstream | undefined)[];
}

/** ORIGIN_URL as the default upstream, UPSTREAMS, and which one each route rule calls; an issue of the setting at fault otherwise. */
export function upstreamRouting(
  origin: Upstream,
  raw: unknown,
  rules: readonly RouteRule[] | null,
  context: Omit<UpstreamContext, 'originTimeoutMs' | 'signing'>,
  ctx: z.RefinementCtx,
): UpstreamRouting {
  try {
    const named = parseUpstreams(raw, { ...context, originTimeoutMs: origin.timeoutMs, signing: origin.signing });
    return { origin, named, byRule: routeUpstreams(rules, named) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    ctx.addIssue({ code: 'custom', path: [error.message.startsWith('ROUTES') ? 'ROUTES' : 'UPSTREAMS'], message: error.message });
    return z.NEVER;
  }
}
