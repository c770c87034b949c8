// The configuration schema (src/config): it names every setting wrangler.toml binds and every one
// src/ reads, README's configuration table documents each with the schema's own defaults and
// bounds, a bad value is a ConfigError naming its setting, and configFor re-parses when any
// setting's raw value changes.

/// <reference types="vite/client" />

import { describe, expect, it } from 'vitest';
import { configFor, parseConfig, SETTING_NAMES, type Bindings } from '../../src/config';
import { ConfigError } from '../../src/errors/config-error';
import readme from '../../README.md?raw';
import wranglerToml from '../../wrangler.toml?raw';

const SOURCES = import.meta.glob<string>(['../../src/**/*.ts', '!../../src/**/*.d.ts'], { query: '?raw', import: 'default', eager: true });

const SECRET = 'whsec_a2V5Z2F0ZS10ZXN0LXdlYmhvb2stc2VjcmV0LTAxMjM=';
/** A valid configuration with webhooks on, so that every setting is read. */
const BASE = { ORIGIN_URL: 'https://origin.example', WEBHOOK_URL: 'https://hooks.example/in', WEBHOOK_SECRET: SECRET };

const HTTPS_ONLY = 'ORIGIN_URL must be https (http only for a loopback origin in local development, or with ALLOW_HTTP_ORIGIN = "true")';
const LOOPBACK =
  "ORIGIN_URL is a loopback address, which reaches nothing once deployed: set it to your API's https URL " +
  '(wrangler.toml [vars], e.g. ORIGIN_URL = "https://api.example.com"). A loopback origin is for local runs, ' +
  'with LOCAL_DEV = "true" (npm start, the tests and the benchmarks set it)';

/** `text` as a pattern that matches it literally. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function parse(settings: Record<string, unknown>) {
  return parseConfig({ ...BASE, ...settings } as unknown as Bindings);
}

/** `[section]`'s lines, up to the next section. */
function tomlSection(name: string): string {
  const start = wranglerToml.indexOf(`\n[${name}]\n`);
  expect(start, `[${name}] in wrangler.toml`).toBeGreaterThan(0);
  const rest = wranglerToml.slice(start + name.length + 4);
  return rest.slice(0, rest.search(/^\[/m));
}

/** README "Configuration": each row's name, default and meaning. */
function readmeRows(): { name: string; fallback: string; meaning: string }[] {
  const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1));
  return [...section.matchAll(/^\| `([^`]+)` +\|[^|]*\|([^|]*)\|(.*)\|$/gm)].map((m) => ({
    name: m[1] as string,
    fallback: (m[2] as string).trim(),
    meaning: m[3] as string,
  }));
}

describe('the configuration schema', () => {
  it('names every var and secret of wrangler.toml', () => {
    const vars = [...tomlSection('vars').matchAll(/^([A-Z][A-Z0-9_]*)\s*=/gm)].map((m) => m[1]);
    const secrets = JSON.parse(/^required\s*=\s*(\[.*\])/m.exec(tomlSection('secrets'))?.[1] ?? '[]') as string[];
    expect(vars).toContain('ORIGIN_URL');
    expect(secrets).toContain('ADMIN_TOKEN');
    for (const name of [...vars, ...secrets]) expect(SETTING_NAMES, name).toContain(name);
  });

  it('names every setting src/ reads from its bindings (the rest are wrangler.toml bindings)', () => {
    const bindings = new Set([...wranglerToml.matchAll(/^(?:binding|name)\s*=\s*"([A-Z][A-Z0-9_]*)"/gm)].map((m) => m[1]));
    expect(bindings).toContain('KEYS');
    expect(bindings).toContain('REGISTRY');
    const read = new Set(
      Object.values(SOURCES).flatMap((text) => [...text.matchAll(/\benv\.([A-Z][A-Z0-9_]*)\b/g)].map((m) => m[1] as string)),
    );
    expect(read).toContain('ADMIN_TOKEN');
    for (const name of read) if (!bindings.has(name)) expect(SETTING_NAMES, name).toContain(name);
  });

  it('every setting is documented in README "Configuration"', () => {
    const documented = readmeRows().map((row) => row.name);
    for (const name of SETTING_NAMES) expect(documented, name).toContain(name);
  });

  it('README’s defaults are the schema’s: setting one changes nothing', () => {
    const fallback = parse({});
    const rows = readmeRows().filter((row) => (SETTING_NAMES as readonly string[]).includes(row.name) && /^`[^`]+`$/.test(row.fallback));
    expect(rows.length).toBeGreaterThan(15);
    for (const row of rows) expect(parse({ [row.name]: row.fallback.slice(1, -1) }), row.name).toEqual(fallback);
  });

  it('README’s bounds are the schema’s: both ends accepted, one past either end refused naming the setting', () => {
    const rows = readmeRows().filter((row) => (SETTING_NAMES as readonly string[]).includes(row.name) && /\(\d+–\d+[);]/.test(row.meaning));
    expect(rows.map((row) => row.name)).toEqual(
      expect.arrayContaining(['ORIGIN_BODY_IDLE_TIMEOUT_MS', 'LIMITER_TIMEOUT_MS', 'WEBHOOK_TIMEOUT_MS']),
    );
    for (const { name, meaning } of rows) {
      const [, min, max] = /\((\d+)–(\d+)[);]/.exec(meaning)!.map(Number) as [number, number, number];
      expect(() => parse({ [name]: String(min) }), `${name}=${min}`).not.toThrow();
      expect(() => parse({ [name]: String(max) }), `${name}=${max}`).not.toThrow();
      expect(() => parse({ [name]: String(max + 1) }), `${name}=${max + 1}`).toThrow(
        new RegExp(`^${name} must be between ${min} and ${max}$`),
      );
      if (min > 0) expect(() => parse({ [name]: String(min - 1) }), `${name}=${min - 1}`).toThrow(name);
    }
  });

  it.each([
    [{ ORIGIN_URL: undefined }, 'ORIGIN_URL is not set'],
    [{ ORIGIN_URL: 'not a url' }, 'ORIGIN_URL is not a URL'],
    [{ ORIGIN_URL: 'http://origin.example' }, HTTPS_ONLY],
    [{ ORIGIN_URL: 'http://origin.example', LOCAL_DEV: 'true' }, HTTPS_ONLY],
    [{ ORIGIN_URL: 'ftp://origin.example' }, HTTPS_ONLY],
    [{ ORIGIN_URL: 'http://127.0.0.1:8788' }, LOOPBACK],
    [{ ORIGIN_URL: 'http://127.0.0.1:8788', ALLOW_HTTP_ORIGIN: 'true' }, LOOPBACK],
    [{ ORIGIN_URL: 'https://localhost:8443' }, LOOPBACK],
    [{ ORIGIN_URL: 'http://[::1]:8788', LOCAL_DEV: 'yes' }, LOOPBACK],
    [{ ORIGIN_URL: 'https://:secret@origin.example' }, 'ORIGIN_URL must not carry a query, fragment or credentials'],
    [{ ORIGIN_URL: 'https://origin.example/?q=1' }, 'ORIGIN_URL must not carry a query, fragment or credentials'],
    [{ KEY_PREFIX: 'K!' }, 'KEY_PREFIX must match [a-z][a-z0-9]{1,15}'],
    [{ EXPOSED_KEY_POLICY: 'maybe' }, 'EXPOSED_KEY_POLICY must be "revoke" or "flag"'],
    [{ ORIGIN_TIMEOUT_MS: '1.5' }, 'ORIGIN_TIMEOUT_MS must be a non-negative integer'],
    [{ AUTH_TIMEOUT_MS: 'soon' }, 'AUTH_TIMEOUT_MS must be a non-negative integer'],
    [{ FEED_FAILURE_POLICY: 'open' }, 'FEED_FAILURE_POLICY must be "refuse" or "serve-stale"'],
    [{ LOG_LEVEL: 'trace' }, 'LOG_LEVEL must be debug, info, warn or error'],
    [{ REGISTRY_LOCATION_HINT: 'mars' }, 'REGISTRY_LOCATION_HINT must be one of wnam, enam, sam, weur, eeur, apac, oc, afr, me'],
    [{ CORS_ALLOWED_ORIGINS: 'https://a.example, a.example' }, 'CORS_ALLOWED_ORIGINS: "a.example" is not an origin'],
    [{ ROUTES: '{' }, 'ROUTES is not valid JSON'],
    [{ ROUTES: [{ method: 'GET', path: '/a', scopes: [], upstream: 7 }] }, 'ROUTES[0].upstream must be the name of an upstream'],
    [{ UPSTREAMS: '{' }, 'UPSTREAMS is not valid JSON'],
    [{ UPSTREAMS: '[]' }, 'UPSTREAMS must be a JSON object of upstreams'],
    [{ UPSTREAMS: { Reports: { url: 'https://a.example' } } }, 'UPSTREAMS: "Reports" is not an upstream name ([a-z][a-z0-9-]{0,31})'],
    [{ UPSTREAMS: { a: { url: 'https://a.example/?q=1' } } }, 'UPSTREAMS.a.url must not carry a query, fragment or credentials'],
    [{ UPSTREAMS: { a: { service: 'lower' } } }, 'UPSTREAMS.a.service must be the name of a service binding (e.g. "REPORTS")'],
    [{ UPSTREAMS: { a: { service: 'TOOLS' } } }, /^UPSTREAMS\.a\.service names the binding "TOOLS", which this Worker does not have/],
    [{ GITHUB_KEYS_URL: 'http://api.github.com/keys' }, 'GITHUB_KEYS_URL must be https'],
    [{ GITHUB_SECRET_SCANNING_KEYS: '{"nope":1}' }, /^GITHUB_SECRET_SCANNING_KEYS: /],
    [{ ORIGIN_SIGNING_KEY: '{"kty":"RSA"}' }, /^ORIGIN_SIGNING_KEY must be an Ed25519 private key/],
    [{ WEBHOOK_URL: undefined }, 'WEBHOOK_SECRET is set but WEBHOOK_URL is not'],
    [{ WEBHOOK_SECRET: 'whsec_c2hvcnQ=' }, 'WEBHOOK_SECRET must decode to 24–64 bytes'],
    [{ WEBHOOK_RETRY_DELAYS_MS: '5000,soon' }, 'WEBHOOK_RETRY_DELAYS_MS must be up to 20 comma-separated delays in ms (0 to 7 days)'],
  ] as [Record<string, unknown>, string | RegExp][])('%o ⇒ ConfigError: %s', (settings, message) => {
    expect(() => parse(settings)).toThrow(ConfigError);
    expect(() => parse(settings)).toThrow(typeof message === 'string' ? new RegExp(`^${escape(message)}$`) : message);
  });

  it('accepts a loopback origin only in local development (LOCAL_DEV), and plain http elsewhere only with ALLOW_HTTP_ORIGIN', () => {
    expect(parse({ ORIGIN_URL: 'http://127.0.0.1:8788/', LOCAL_DEV: 'true' }).upstreams.origin.base).toBe('http://127.0.0.1:8788');
    expect(parse({ ORIGIN_URL: 'https://localhost:8443', LOCAL_DEV: 'true' }).upstreams.origin.base).toBe('https://localhost:8443');
    expect(parse({ ORIGIN_URL: 'http://origin.example/api', ALLOW_HTTP_ORIGIN: 'true' }).upstreams.origin.base).toBe(
      'http://origin.example/api',
    );
    expect(parse({ ORIGIN_URL: 'https://origin.example' }).upstreams.origin.base).toBe('https://origin.example');
  });

  it('UPSTREAMS: a URL upstream by the rule of ORIGIN_URL, a service upstream whose binding is a Worker, each with its timeout and signing', () => {
    const tools = { fetch: () => new Response() };
    const config = parseConfig({
      ...BASE,
      LOCAL_DEV: 'true',
      TOOLS: tools,
      UPSTREAMS: { reports: { url: 'http://127.0.0.1:8789/' }, tools: { service: 'TOOLS', timeoutMs: 500 } },
      ROUTES: [
        { method: 'GET', path: '/a', scopes: [] },
        { method: 'GET', path: '/reports/*', scopes: [], upstream: 'reports' },
      ],
    } as unknown as Bindings);
    expect(config.upstreams.named.get('reports')).toMatchObject({
      base: 'http://127.0.0.1:8789',
      service: null,
      timeoutMs: 30_000,
      signing: null,
    });
    expect(config.upstreams.named.get('tools')).toMatchObject({ base: null, service: 'TOOLS', timeoutMs: 500 });
    expect(config.upstreams.byRule.map((u) => u?.name)).toEqual([undefined, 'reports']);
    expect(() => parse({ UPSTREAMS: { reports: { url: 'http://127.0.0.1:8789' } } })).toThrow(
      /^UPSTREAMS\.reports\.url is a loopback address/,
    );
  });

  it('takes TOML numbers and JSON values where wrangler.toml gives them; a non-"true" flag is off', () => {
    const config = parse({ ORIGIN_TIMEOUT_MS: 250, ROUTES: [{ method: 'GET', path: '/a', scopes: [] }], BENCH_MODE: true });
    expect(config).toMatchObject({ upstreams: { origin: { timeoutMs: 250 } }, benchMode: false, routes: [{ pattern: '/a' }] });
    expect(parse({ BENCH_MODE: 'true', ADMIN_TOKEN: 7 }).benchMode).toBe(true);
  });

  it('with webhooks off, the other webhook settings are not read', () => {
    expect(
      parse({ WEBHOOK_URL: '', WEBHOOK_SECRET: '', WEBHOOK_TIMEOUT_MS: 'soon', WEBHOOK_RETRY_DELAYS_MS: 'never' }).webhooks,
    ).toBeNull();
  });
});

describe('configFor', () => {
  const env = { ...BASE, LOG_LEVEL: 'warn' } as unknown as Bindings;

  it('reuses the Config for the same env object, and for another one with the same raw values', () => {
    const config = configFor(env);
    expect(configFor(env)).toBe(config);
    expect(configFor({ ...env } as Bindings)).toBe(config);
    expect(configFor({ ...env, UNRELATED: 'x' } as Bindings)).toBe(config);
  });

  it('parses again when the raw value of any setting differs', () => {
    for (const name of SETTING_NAMES) {
      const config = configFor(env);
      let changed: ReturnType<typeof configFor> | ConfigError;
      try {
        changed = configFor({ ...env, [name]: {} } as Bindings);
      } catch (error) {
        changed = error as ConfigError;
      }
      expect(changed, name).not.toBe(config);
    }
  });
});
