// The config file `keygate login` writes: $XDG_CONFIG_HOME/keygate/config.json (default
// ~/.config/keygate). It holds the admin token, so it is created with mode 0600 in a 0700
// directory, and re-chmodded when it already exists with a wider mode.

import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { usageError } from './errors';

export interface SavedConfig {
  url: string;
  token: string;
  insecure?: boolean;
}

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'keygate', 'config.json');
}

/** The saved connection, or null when there is none. A file that is not ours is bad usage. */
export function readConfig(path = configPath()): SavedConfig | null {
  if (!existsSync(path)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw usageError(`${path} is not valid JSON`, '  run `keygate login` again or remove the file');
  }
  const c = parsed as Partial<SavedConfig> | null;
  if (typeof c?.url !== 'string' || typeof c.token !== 'string') {
    throw usageError(`${path} has no url and token`, '  run `keygate login` again');
  }
  return { url: c.url, token: c.token, insecure: c.insecure === true };
}

export function writeConfig(config: SavedConfig, path = configPath()): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  // writeFileSync's mode applies only when it creates the file: chmod covers an existing one.
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** Removes the saved connection; false when there was none. */
export function removeConfig(path = configPath()): boolean {
  if (!existsSync(path)) return false;
  rmSync(path);
  return true;
}
