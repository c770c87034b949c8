// Where the CLI connects and with which token: --url/--token, else KEYGATE_URL/KEYGATE_ADMIN_TOKEN,
// else the file `keygate login` wrote. The token never leaves this object except in the
// Authorization header; `redact` scrubs it from anything printed.

import { configPath, readConfig } from './config';
import { usageError } from './errors';

export interface GlobalOptions {
  url?: string;
  token?: string;
  insecure?: boolean;
  json?: boolean;
  quiet?: boolean;
}

export interface Connection {
  url: string;
  token: string;
  insecure: boolean;
  /** Where the token came from: `--token`, `KEYGATE_ADMIN_TOKEN` or the config file's path. */
  tokenFrom: string;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export function isLoopback(url: URL): boolean {
  return LOOPBACK.has(url.hostname) || url.hostname.endsWith('.localhost');
}

/**
 * A validated base URL. https is required except on loopback (keygate itself refuses plain http,
 * but a token sent over it to another host would already be out); --insecure (accepting a
 * self-signed certificate) only for loopback.
 */
export function checkUrl(raw: string, insecure: boolean): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError(`not a URL: ${raw}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw usageError(`not an http(s) URL: ${raw}`);
  if (url.username || url.password) throw usageError('the URL must not carry credentials: use --token or KEYGATE_ADMIN_TOKEN');
  if (url.protocol === 'http:' && !isLoopback(url)) throw usageError(`refusing to send the admin token over plain http to ${url.host}`);
  if (insecure && !isLoopback(url)) {
    throw usageError('--insecure is only for a local self-signed certificate (localhost, 127.0.0.1, ::1)');
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}

/** The connection for a command, from flags, then the environment, then the config file. */
export function resolveConnection(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env): Connection {
  const saved = readConfig();
  const url = opts.url ?? env.KEYGATE_URL ?? saved?.url;
  const token = opts.token ?? env.KEYGATE_ADMIN_TOKEN ?? saved?.token;
  const tokenFrom = opts.token !== undefined ? '--token' : env.KEYGATE_ADMIN_TOKEN !== undefined ? 'KEYGATE_ADMIN_TOKEN' : configPath();
  if (!url) throw usageError('no keygate URL: pass --url, set KEYGATE_URL or run `keygate login`');
  if (!token) throw usageError('no admin token: set KEYGATE_ADMIN_TOKEN or run `keygate login`');
  // The saved "insecure" applies only to the saved URL.
  const insecure = opts.insecure === true || (saved?.insecure === true && url === saved.url);
  keepSecret(token);
  return { url: checkUrl(url, insecure), token, insecure, tokenFrom };
}

const secrets = new Set<string>();

/** Marks a value (a token) that must never be printed: `redact` replaces it. */
export function keepSecret(value: string | undefined): void {
  if (value) secrets.add(value);
}

/** `text` with every secret replaced. */
export function redact(text: string): string {
  let result = text;
  for (const secret of secrets) result = result.split(secret).join('[redacted]');
  return result;
}
