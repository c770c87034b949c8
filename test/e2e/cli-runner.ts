// Runs the real CLI (bin/keygate.mjs, freshly built) as a child process with the machine's own
// Node — the first `node` on PATH outside node_modules (Node 20 here), not the Node 22 the tests
// run on — so the tests also prove the bin works on the stock Node.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { delimiter, join } from 'node:path';

import { E2E_ADMIN_TOKEN, type Stack } from './keygate-server';

export const BIN = 'bin/keygate.mjs';

export function buildCli(): void {
  execFileSync(process.execPath, ['scripts/build-cli.mjs'], { stdio: 'inherit' });
}

export function stockNode(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir.includes('node_modules')) continue;
    const candidate = join(dir, 'node');
    if (existsSync(candidate)) return candidate;
  }
  return process.execPath;
}

/** The environment of a CLI run against `stack`: its URL and admin token, no colour, config kept in its directory. */
export function cliEnv(stack: Stack): Record<string, string> {
  return {
    HOME: stack.dir,
    XDG_CONFIG_HOME: stack.dir,
    NO_COLOR: '1',
    KEYGATE_URL: stack.keygate.url,
    KEYGATE_ADMIN_TOKEN: E2E_ADMIN_TOKEN,
  };
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Every output of every run, to check at the end that no secret ever appeared. */
export const transcript: string[] = [];

export function start(args: string[], env: Record<string, string>): ChildProcess {
  // A fresh environment: nothing of the test process (e.g. NODE_TLS_REJECT_UNAUTHORIZED) leaks in.
  return spawn(stockNode(), [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
}

export function run(args: string[], env: Record<string, string>, input?: string): Promise<Run> {
  const child = start(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin?.end(input);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      transcript.push(stdout, stderr);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface Watched {
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves once `predicate` holds on stdout so far; fails after `ms`. */
  until(predicate: (stdout: string) => boolean, ms?: number): Promise<string>;
}

/** Collects a running child's output. */
export function watch(child: ChildProcess): Watched {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    transcript.push(chunk.toString());
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    transcript.push(chunk.toString());
  });
  return {
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    async until(predicate, ms = 15_000) {
      const deadline = Date.now() + ms;
      while (!predicate(stdout)) {
        if (Date.now() > deadline) throw new Error(`timed out; stdout:\n${stdout}\nstderr:\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return stdout;
    },
  };
}

/** A loopback port nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
