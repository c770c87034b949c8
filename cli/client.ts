// The admin API client: one `call` that sends the bearer token, parses JSON, and turns every
// failure into the exit code it stands for — a problem+json answer ⇒ 1, no answer ⇒ 3.

import { Agent, fetch } from 'undici';
import type { Connection } from './connection';
import { apiRefusal, CliError, EXIT, type Problem } from './errors';

const TIMEOUT_MS = 30_000;
const CERT_CODES = /CERT|SELF_SIGNED|TLS|SSL/;

export type Query = Record<string, string | number | undefined>;

export interface Client {
  call<T>(method: string, path: string, options?: { query?: Query; body?: unknown }): Promise<T>;
  close(): Promise<void>;
}

function errorCode(err: unknown): string {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e instanceof Error; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = e.cause;
  }
  return err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
}

/** A fetch that never answered: refused, unresolvable, timed out, or a certificate not trusted. */
function unreachable(url: string, err: unknown): CliError {
  const code = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000} s` : errorCode(err);
  const lines = CERT_CODES.test(code) ? ['  a local self-signed certificate (wrangler dev, miniflare)? pass --insecure'] : [];
  return new CliError(`cannot reach keygate at ${url}: ${code}`, EXIT.unreachable, lines);
}

function parseProblem(text: string): Problem | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Problem) : null;
  } catch {
    return null;
  }
}

function withQuery(url: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
  const search = params.toString();
  return search ? `${url}?${search}` : url;
}

export function createClient(conn: Pick<Connection, 'url' | 'token' | 'insecure'>): Client {
  // A self-signed certificate is accepted only with --insecure, which connection.ts allows for
  // loopback URLs only.
  const dispatcher = new Agent({ connect: { rejectUnauthorized: !conn.insecure } });
  return {
    async call<T>(method: string, path: string, options: { query?: Query; body?: unknown } = {}): Promise<T> {
      const url = withQuery(`${conn.url}/_keygate/v1${path}`, options.query);
      const headers: Record<string, string> = { authorization: `Bearer ${conn.token}`, accept: 'application/json' };
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      let res;
      try {
        res = await fetch(url, {
          method,
          headers,
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
          // Never follow a redirect with the token.
          redirect: 'manual',
          dispatcher,
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
      } catch (err) {
        throw unreachable(conn.url, err);
      }
      const text = await res.text();
      if (res.status >= 300) {
        const where = res.headers.get('location');
        throw apiRefusal(res.status, parseProblem(text), where ? `redirected to ${where} (not followed)` : res.statusText);
      }
      if (text === '') return null as T;
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new CliError(`${conn.url} answered ${res.status} with something other than JSON: is it keygate?`, EXIT.refused);
      }
    },
    close: () => dispatcher.close(),
  };
}
