// The CLI against a real keygate (the deploy bundle in workerd over https with a self-signed
// certificate): connection and login, exit codes, projects, audit, colors, and the token kept out
// of every output.

import { mkdtempSync, readFileSync, statSync, writeFileSync, chmodSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, closedPort, run, transcript } from './cli-runner';
import { E2E_ADMIN_TOKEN, startStack, type Stack } from './keygate-server';

let stack: Stack;
let home: string;
let env: Record<string, string>;

/** A fresh config directory, so a test's login does not leak into others. */
function freshConfig(): string {
  return mkdtempSync(join(home, 'xdg-'));
}

beforeAll(async () => {
  buildCli();
  stack = await startStack();
  home = mkdtempSync(join(tmpdir(), 'keygate-cli-'));
  env = {
    HOME: home,
    XDG_CONFIG_HOME: freshConfig(),
    NO_COLOR: '1',
    KEYGATE_URL: stack.keygate.url,
    KEYGATE_ADMIN_TOKEN: E2E_ADMIN_TOKEN,
  };
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

const kg = (args: string[], extra: Record<string, string> = {}, input?: string) =>
  run(['--insecure', ...args], { ...env, ...extra }, input);

describe('e2e: CLI usage and exit codes', () => {
  it('--help lists the commands and the exit codes (0); no command or an unknown one is bad usage (2)', async () => {
    const help = await run(['--help'], env);
    expect(help.code).toBe(0);
    for (const word of ['login', 'projects', 'keys', 'usage', 'requests', 'audit', 'Exit codes']) expect(help.stdout).toContain(word);
    expect((await run([], env)).code).toBe(2);
    const unknown = await run(['projcts', 'list'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'projcts'/);
  });

  it('a missing argument or an invalid option value is bad usage (2), before any call', async () => {
    const unreachable = { KEYGATE_URL: 'https://127.0.0.1:1' };
    expect((await kg(['keys', 'create', 'prj_x'], unreachable)).code).toBe(2);
    const badLimit = await kg(['keys', 'create', 'prj_x', 'k', '--rate-limit', 'lots'], unreachable);
    expect(badLimit.code).toBe(2);
    expect(badLimit.stderr).toMatch(/NAME=LIMIT\/WINDOW/);
    expect((await kg(['usage', '--granularity', 'week'], unreachable)).code).toBe(2);
    expect((await kg(['keys', 'update', 'key_x'], unreachable)).stderr).toMatch(/nothing to change/);
  });

  it('no URL or no token is bad usage (2)', async () => {
    const noToken = await run(['--insecure', 'projects', 'list'], {
      HOME: home,
      XDG_CONFIG_HOME: freshConfig(),
      KEYGATE_URL: stack.keygate.url,
    });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/no admin token/);
    const noUrl = await run(['projects', 'list'], { HOME: home, XDG_CONFIG_HOME: freshConfig(), KEYGATE_ADMIN_TOKEN: E2E_ADMIN_TOKEN });
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toMatch(/no keygate URL/);
  });

  it('--insecure only for loopback, and never plain http to another host (2)', async () => {
    const remote = await run(['--insecure', 'projects', 'list'], { ...env, KEYGATE_URL: 'https://keygate.example.com' });
    expect(remote.code).toBe(2);
    expect(remote.stderr).toMatch(/--insecure is only for a local self-signed certificate/);
    const http = await run(['projects', 'list'], { ...env, KEYGATE_URL: 'http://keygate.example.com' });
    expect(http.code).toBe(2);
    expect(http.stderr).toMatch(/plain http/);
  });

  it('unreachable (3): connection refused, and a self-signed certificate without --insecure (with a hint)', async () => {
    const port = await closedPort();
    const refused = await run(['projects', 'list'], { ...env, KEYGATE_URL: `https://127.0.0.1:${port}` });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(`cannot reach keygate at https://127.0.0.1:${port}: ECONNREFUSED`);
    const selfSigned = await run(['projects', 'list'], env);
    expect(selfSigned.code).toBe(3);
    expect(selfSigned.stderr).toMatch(/pass --insecure/);
  });

  it('the API refusing is 1, with "title: detail"; a wrong token is refused and never printed', async () => {
    const missing = await kg(['keys', 'show', 'key_00000000000000000000']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: Not found: .+/m);
    expect(missing.stderr).toMatch(/request id: /);
    const wrongToken = 'wrong-token-for-this-test-0123456789';
    const wrong = await kg(['projects', 'list'], { KEYGATE_ADMIN_TOKEN: wrongToken });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/A valid admin token is required/);
    expect(wrong.stdout + wrong.stderr).not.toContain(wrongToken);
  });

  it('field errors are printed one per line (1)', async () => {
    const project = JSON.parse((await kg(['--json', 'projects', 'create', 'fields'])).stdout) as { id: string };
    const bad = await kg(['keys', 'create', project.id, 'bad', '--scope', 'not a scope']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: The request is not valid/m);
    expect(bad.stderr).toMatch(/^ {2}scopes\.0: must be "resource:action"/m);
  });
});

describe('e2e: CLI login', () => {
  it('login reads the token from stdin, checks it, saves it with mode 0600 and never prints it', async () => {
    const xdg = freshConfig();
    const bare = { HOME: home, XDG_CONFIG_HOME: xdg, NO_COLOR: '1' };
    const login = await run(['login', '--url', stack.keygate.url, '--insecure', '--token-stdin'], bare, `${E2E_ADMIN_TOKEN}\n`);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toMatch(/Logged in/);
    const file = join(xdg, 'keygate', 'config.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(xdg, 'keygate')).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ url: stack.keygate.url, token: E2E_ADMIN_TOKEN, insecure: true });
    // Later commands need neither the environment nor flags.
    const list = await run(['--json', 'projects', 'list'], bare);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toHaveProperty('items');
    const logout = await run(['logout'], bare);
    expect(logout.code).toBe(0);
    expect(existsSync(file)).toBe(false);
  });

  it('login tightens an existing config file to 0600', async () => {
    const xdg = freshConfig();
    mkdirSync(join(xdg, 'keygate'));
    const file = join(xdg, 'keygate', 'config.json');
    writeFileSync(file, '{}');
    chmodSync(file, 0o644);
    const login = await run(
      ['login', '--url', stack.keygate.url, '--insecure', '--token-stdin'],
      { HOME: home, XDG_CONFIG_HOME: xdg },
      E2E_ADMIN_TOKEN,
    );
    expect(login.code, login.stderr).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('a wrong token is refused at login (1) and nothing is saved', async () => {
    const xdg = freshConfig();
    const login = await run(
      ['login', '--url', stack.keygate.url, '--insecure', '--token-stdin'],
      { HOME: home, XDG_CONFIG_HOME: xdg },
      'not-the-admin-token-0123456789',
    );
    expect(login.code).toBe(1);
    expect(existsSync(join(xdg, 'keygate', 'config.json'))).toBe(false);
    expect(login.stdout + login.stderr).not.toContain('not-the-admin-token-0123456789');
  });

  it('login without a token and without a terminal is bad usage (2)', async () => {
    const login = await run(['login', '--url', stack.keygate.url, '--insecure'], { HOME: home, XDG_CONFIG_HOME: freshConfig() });
    expect(login.code).toBe(2);
    expect(login.stderr).toMatch(/--token-stdin/);
  });
});

describe('e2e: CLI projects and audit', () => {
  it('create, list, show; delete refuses without --yes when not interactive, and deletes with it', async () => {
    const created = await kg(['projects', 'create', 'clinic app', '--description', 'the clinic', '--metadata', 'team=care']);
    expect(created.code, created.stderr).toBe(0);
    const id = /prj_[0-9A-Za-z]{20}/.exec(created.stdout)?.[0] as string;
    expect(id).toBeDefined();
    expect(created.stdout).toMatch(/team=care/);

    const list = await kg(['projects', 'list', '--all']);
    expect(list.stdout).toMatch(new RegExp(`${id}\\s+clinic app\\s+the clinic`));
    const listed = JSON.parse((await kg(['--json', 'projects', 'list', '--limit', '100'])).stdout) as { items: { id: string }[] };
    expect(listed.items.map((p) => p.id)).toContain(id);
    expect(JSON.parse((await kg(['projects', 'show', id, '--json'])).stdout)).toMatchObject({ id, name: 'clinic app' });

    const refused = await kg(['projects', 'delete', id]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/pass --yes/);
    expect((await kg(['projects', 'show', id])).code).toBe(0);

    const deleted = await kg(['projects', 'delete', id, '--yes']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toMatch(/Deleted project/);
    expect((await kg(['projects', 'show', id])).code).toBe(1);
  });

  it('--quiet prints only the id', async () => {
    const quiet = await kg(['projects', 'create', 'quiet', '-q']);
    expect(quiet.stdout.trim()).toMatch(/^prj_[0-9A-Za-z]{20}$/);
  });

  it('audit shows the changes and the verified hash chain; --json parses', async () => {
    const audit = await kg(['audit', '--all']);
    expect(audit.code, audit.stderr).toBe(0);
    expect(audit.stdout).toMatch(/project\.create/);
    expect(audit.stdout).toMatch(/hash chain verified/);
    const page = JSON.parse((await kg(['--json', 'audit', '--limit', '2'])).stdout) as { items: unknown[]; chain: { verified: boolean } };
    expect(page.items).toHaveLength(2);
    expect(page.chain.verified).toBe(true);
  });

  it('colors: on with FORCE_COLOR, off with NO_COLOR and when not a terminal', async () => {
    const ESC = '\u001b[';
    expect((await kg(['projects', 'list'], { NO_COLOR: '', FORCE_COLOR: '1' })).stdout).toContain(ESC);
    expect((await kg(['projects', 'list'], { NO_COLOR: '1', FORCE_COLOR: '1' })).stdout).not.toContain(ESC);
    expect((await kg(['projects', 'list'], { NO_COLOR: '' })).stdout).not.toContain(ESC);
  });
});

describe('e2e: CLI secrets', () => {
  it('the admin token appeared in no output of any run in this file', () => {
    expect(transcript.length).toBeGreaterThan(20);
    for (const text of transcript) expect(text).not.toContain(E2E_ADMIN_TOKEN);
  });
});
