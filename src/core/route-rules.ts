// Route rules (the ROUTES var): method + path pattern → required scopes; first match wins.
// Patterns: literal segments, `:name` (exactly one segment) and a trailing `*` (the prefix itself
// and anything below it). Compiled once when the configuration is read.

import { ConfigError } from '../errors/config-error';
import { isValidRequiredScope } from './scopes';

export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

export interface RouteRule {
  /** Index in ROUTES, named in logs and usage as the route rule. */
  index: number;
  pattern: string;
  /** How usage names the rule: "GET,HEAD /forms/:id" ("*" for any method). */
  name: string;
  methods: ReadonlySet<string> | 'any';
  scopes: readonly string[];
  /** Credits a call of this rule spends (default 1; 0 spends none, only checks). */
  cost: number;
  /** The UPSTREAMS entry its calls go to; null: ORIGIN_URL (config/upstreams.ts checks the name exists). */
  upstream: string | null;
  regex: RegExp;
}

/** The largest cost a route rule may carry. */
export const MAX_COST = 1_000_000;

/** Characters allowed raw in a path that clients also send escaped (encodeURIComponent escapes them). */
const SUB_DELIMS = "!$&'()*+,=:@";

function regexEscape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `%XX` with either case of hex digit: `%c3%a9` and `%C3%A9` are the same bytes to every origin. */
function escapePattern(byte: number): string {
  const hex = byte.toString(16).toUpperCase().padStart(2, '0');
  return '%' + [...hex].map((d) => (/[A-F]/.test(d) ? `[${d}${d.toLowerCase()}]` : d)).join('');
}

/**
 * A literal segment as a regex that matches each spelling origins read as the same segment
 * (RFC 3986 §6.2.2.1): escapes in either case, and a sub-delimiter raw or escaped — a rule for
 * `/v1/a+b` must also decide `/v1/a%2Bb`, which a decoding origin serves as the same route.
 */
function literalPattern(segment: string): string {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    let ch = segment.charAt(i);
    const escaped = ch === '%' && /^[0-9A-Fa-f]{2}$/.test(segment.slice(i + 1, i + 3)) ? parseInt(segment.slice(i + 1, i + 3), 16) : -1;
    if (escaped >= 0) {
      i += 2;
      ch = String.fromCharCode(escaped);
      if (!SUB_DELIMS.includes(ch)) {
        source += escapePattern(escaped);
        continue;
      }
    }
    source += SUB_DELIMS.includes(ch) ? `(?:${regexEscape(ch)}|${escapePattern(ch.charCodeAt(0))})` : regexEscape(ch);
  }
  return source;
}

function compilePattern(path: string, where: string): RegExp {
  if (!path.startsWith('/')) throw new ConfigError(`${where}.path must start with "/"`);
  const segments = path.split('/').slice(1);
  let source = '';
  segments.forEach((segment, i) => {
    if (segment === '*') {
      if (i !== segments.length - 1) throw new ConfigError(`${where}.path: "*" may only end a pattern`);
      source += '(?:/.*)?';
    } else if (segment.startsWith(':')) {
      if (!/^:[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) throw new ConfigError(`${where}.path: bad parameter "${segment}"`);
      source += '/[^/]+';
    } else {
      if (segment.includes('*') || segment.includes(':')) throw new ConfigError(`${where}.path: bad segment "${segment}"`);
      source += '/' + literalPattern(segment);
    }
  });
  return new RegExp(`^${source}$`);
}

function compileMethods(method: unknown, where: string): ReadonlySet<string> | 'any' {
  if (method === '*') return 'any';
  const list = typeof method === 'string' ? [method] : method;
  if (!Array.isArray(list) || list.length === 0) throw new ConfigError(`${where}.method must be a method, a list of methods or "*"`);
  const set = new Set<string>();
  for (const m of list) {
    if (typeof m !== 'string' || !(METHODS as readonly string[]).includes(m.toUpperCase())) {
      throw new ConfigError(`${where}.method: unknown method ${JSON.stringify(m)}`);
    }
    set.add(m.toUpperCase());
  }
  return set;
}

/**
 * Parses ROUTES, which arrives as a JSON value (wrangler.toml) or a JSON string (`--var`, the
 * dashboard). Undefined or empty string: null (any valid key may call any path). Invalid: ConfigError.
 */
export function parseRoutes(raw: unknown): RouteRule[] | null {
  if (raw === undefined || raw === null || raw === '') return null;
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new ConfigError('ROUTES is not valid JSON');
    }
  }
  if (!Array.isArray(value)) throw new ConfigError('ROUTES must be a JSON array of rules');
  return value.map((rule: unknown, index): RouteRule => {
    const where = `ROUTES[${index}]`;
    if (typeof rule !== 'object' || rule === null) throw new ConfigError(`${where} must be an object`);
    const { method, path, scopes, cost = 1, upstream = null } = rule as Record<string, unknown>;
    if (typeof path !== 'string') throw new ConfigError(`${where}.path must be a string`);
    if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string' && isValidRequiredScope(s))) {
      throw new ConfigError(`${where}.scopes must be a list of "resource:action" scopes`);
    }
    if (!Number.isInteger(cost) || (cost as number) < 0 || (cost as number) > MAX_COST) {
      throw new ConfigError(`${where}.cost must be an integer from 0 to ${MAX_COST}`);
    }
    if (upstream !== null && typeof upstream !== 'string') throw new ConfigError(`${where}.upstream must be the name of an upstream`);
    const methods = compileMethods(method ?? '*', where);
    const name = `${methods === 'any' ? '*' : [...methods].join(',')} ${path}`;
    return { index, pattern: path, name, methods, scopes, cost: cost as number, upstream, regex: compilePattern(path, where) };
  });
}

/** The first rule matching `method` and `path`, or undefined. HEAD matches rules for GET too. */
export function matchRoute(rules: readonly RouteRule[], method: string, path: string): RouteRule | undefined {
  for (const rule of rules) {
    if (rule.methods !== 'any' && !rule.methods.has(method) && !(method === 'HEAD' && rule.methods.has('GET'))) continue;
    if (rule.regex.test(path)) return rule;
  }
  return undefined;
}
