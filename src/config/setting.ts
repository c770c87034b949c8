// The building blocks of the configuration schema (config/index.ts). A setting is a raw binding —
// a string from a var, a secret, `--var` or the dashboard, or a TOML value from wrangler.toml — that
// zod checks and turns into its parsed form. Every issue's message names its setting, so that the
// ConfigError built from it (500 misconfigured) tells the operator what to fix.

import { z } from 'zod';
import { ConfigError } from '../errors/config-error';
import { isLoopbackHost } from './origin-rule.mjs';

function unset(raw: unknown): raw is undefined | '' {
  return raw === undefined || raw === '';
}

/**
 * A whole number, `fallback` when unset, within `range` when given. A string, or a number when
 * wrangler.toml gives one unquoted. `message` replaces both of the default messages.
 */
export function integer(name: string, fallback: number, range?: { min?: number; max: number }, message?: string) {
  const notInteger = message ?? `${name} must be a non-negative integer`;
  let value = z.number({ error: notInteger }).refine((n) => Number.isInteger(n) && n >= 0, notInteger);
  if (range !== undefined) {
    const between = message ?? `${name} must be between ${range.min ?? 0} and ${range.max}`;
    value = value.min(range.min ?? 0, between).max(range.max, between);
  }
  return z
    .union([z.string(), z.number()], { error: notInteger })
    .optional()
    .transform((raw) => (unset(raw) ? fallback : Number(raw)))
    .pipe(value);
}

/** One of `values`, `fallback` when unset; anything else is `message`. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T, fallback: T[number], message: string) {
  return z
    .string({ error: message })
    .optional()
    .transform((raw) => (unset(raw) ? fallback : raw))
    .pipe(z.enum(values, { error: message }));
}

/** On only when set to the string "true"; any other value (a TOML boolean included) is off, never an error. */
export function flag() {
  return z
    .string()
    .optional()
    .catch(undefined)
    .transform((raw) => raw === 'true');
}

function toUrl(name: string, raw: string, ctx: z.RefinementCtx): URL {
  try {
    return new URL(raw);
  } catch {
    ctx.addIssue({ code: 'custom', message: `${name} is not a URL` });
    return z.NEVER;
  }
}

/** A URL setting that must be set: `unsetMessage` when it is not. */
export function requiredUrl(name: string, unsetMessage: string) {
  return z
    .string({ error: unsetMessage })
    .min(1, unsetMessage)
    .transform((raw, ctx) => toUrl(name, raw, ctx));
}

/**
 * Why `url` cannot be the URL keygate calls for `name` (webhooks, GitHub's keys), or undefined: https,
 * or this machine in local development only (LOCAL_DEV, as for ORIGIN_URL: origin-rule.mjs) — a
 * loopback URL reaches nothing once deployed, and plain http to anywhere else would send the
 * signed payload or take the keys unprotected.
 */
export function serviceUrlProblem(name: string, url: URL, localDev: boolean): string | undefined {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `${name} must be https`;
  if (isLoopbackHost(url.hostname)) {
    return localDev
      ? undefined
      : `${name} is a loopback address, which reaches nothing once deployed: set an https URL (loopback only with LOCAL_DEV = "true", for local runs)`;
  }
  return url.protocol === 'https:' ? undefined : `${name} must be https`;
}

/** A URL setting, undefined when unset. */
export function optionalUrl(name: string) {
  return z
    .string({ error: `${name} is not a URL` })
    .optional()
    .transform((raw, ctx) => (unset(raw) ? undefined : toUrl(name, raw, ctx)));
}

/**
 * A transform from a parser that throws ConfigError (route rules, the signing key…): its error
 * becomes the setting's issue, so that the schema reports it like any other.
 */
export function parsedBy<I, O>(parse: (raw: I) => O) {
  return (raw: I, ctx: z.RefinementCtx): O => {
    try {
      return parse(raw);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message });
      return z.NEVER;
    }
  };
}

/** The schema's output for `raw`, or a ConfigError with its first issue, naming the setting. */
export function parseSettings<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const name = issue?.path[0];
  const message = issue?.message ?? 'invalid configuration';
  throw new ConfigError(typeof name === 'string' && !message.includes(name) ? `${name}: ${message}` : message);
}
