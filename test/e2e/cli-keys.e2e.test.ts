// The CLI's key commands, usage and request log against a real keygate (deploy bundle in workerd,
// https): each change is checked through the gateway itself, not only through the CLI's output.

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, cliEnv, run, start, transcript, watch } from './cli-runner';
import { E2E_ADMIN_TOKEN, startStack, type Stack } from './keygate-server';
import { OUTCOME_COLOURS } from '../../src/core/outcome-colours';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const KEY = /kg_(live|test)_[0-9A-Za-z]{38}/g;

let stack: Stack;
let env: Record<string, string>;
let projectId: string;

beforeAll(async () => {
  buildCli();
  // Every call's usage is flushed with the call, so counts are exact at once.
  stack = await startStack({ USAGE_FLUSH_MS: '0' });
  env = cliEnv(stack);
  projectId = (await kg(['projects', 'create', 'keys test', '-q'])).stdout.trim();
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

const kg = (args: string[], extra: Record<string, string> = {}) => run(['--insecure', ...args], { ...env, ...extra });

async function createKey(...args: string[]): Promise<{ id: string; key: string }> {
  const res = await kg(['--json', 'keys', 'create', projectId, ...args]);
  expect(res.code, res.stderr).toBe(0);
  return JSON.parse(res.stdout) as { id: string; key: string };
}

/** A call through the gateway with a key: its status and request id. */
async function call(key: string, path = '/forms/1'): Promise<{ status: number; requestId: string }> {
  const res = await fetch(`${stack.keygate.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  await res.arrayBuffer();
  return { status: res.status, requestId: res.headers.get('x-request-id') ?? '' };
}

describe('e2e: CLI keys', () => {
  it('create prints the key once, with the warning on stderr; list and show never print it', async () => {
    const created = await kg([
      'keys',
      'create',
      projectId,
      'reader',
      '--scope',
      'forms:read',
      '--rate-limit',
      'burst=100/10s',
      '--quota',
      '1000/day',
    ]);
    expect(created.code, created.stderr).toBe(0);
    const keys = created.stdout.match(KEY) ?? [];
    expect(keys).toHaveLength(1);
    const key = keys[0] as string;
    expect(created.stderr).toMatch(/Store this key safely now: it is shown only this once/);
    expect(created.stdout).toMatch(/burst 100\/10s/);
    expect(created.stdout).toMatch(/1000 of 1000 left this day/);
    const id = /key_[0-9A-Za-z]{20}/.exec(created.stdout)?.[0] as string;
    expect((await call(key)).status).toBe(200);

    const list = await kg(['keys', 'list', projectId]);
    expect(list.stdout).toMatch(new RegExp(`${id}\\s+reader\\s+\\S+…\\s+live\\s+active\\s+forms:read`));
    const show = await kg(['keys', 'show', id]);
    expect(show.stdout).toMatch(/status\s+active/);
    expect(show.stdout).toMatch(/999 of 1000 left this day/);
    for (const out of [list.stdout, show.stdout, (await kg(['--json', 'keys', 'list', projectId])).stdout]) expect(out).not.toContain(key);
  });

  it('--quiet prints only the key; --json has it under "key"', async () => {
    const quiet = await kg(['keys', 'create', projectId, 'quiet', '--scope', 'forms:read', '-q']);
    expect(quiet.stdout.trim()).toMatch(/^kg_live_[0-9A-Za-z]{38}$/);
    const { key } = await createKey('json', '--env', 'test');
    expect(key).toMatch(/^kg_test_/);
  });

  it('update changes name and scopes; disable refuses the key at the gateway, enable lets it back', async () => {
    const { id, key } = await createKey('changing', '--scope', 'other:read');
    expect((await call(key)).status).toBe(403);
    const updated = await kg(['keys', 'update', id, '--name', 'changed', '--scope', 'forms:read', '--expires', '30d']);
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.stdout).toMatch(/name\s+changed/);
    expect((await call(key)).status).toBe(200);
    const noExpiry = JSON.parse((await kg(['--json', 'keys', 'update', id, '--no-expires'])).stdout) as { expiresAt: string | null };
    expect(noExpiry.expiresAt).toBeNull();

    const disabled = await kg(['keys', 'disable', id]);
    expect(disabled.stdout).toMatch(/status\s+disabled/);
    expect((await call(key)).status).toBe(401);
    const enabled = await kg(['keys', 'enable', id]);
    expect(enabled.stdout).toMatch(/status\s+active/);
    expect((await call(key)).status).toBe(200);
  });

  it('rotate prints the new key once; the old one works through the grace period', async () => {
    const { id, key } = await createKey('rotating', '--scope', 'forms:read');
    const rotated = await kg(['keys', 'rotate', id, '--grace', '1h']);
    expect(rotated.code, rotated.stderr).toBe(0);
    const keys = rotated.stdout.match(KEY) ?? [];
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toBe(key);
    expect(rotated.stderr).toMatch(/Store this key safely/);
    expect(rotated.stdout).toMatch(new RegExp(`The old key ${id} keeps working until \\d{4}-`));
    expect((await call(keys[0] as string)).status).toBe(200);
    expect((await call(key)).status).toBe(200);
  });

  it('revoke refuses without --yes when not interactive; with it the key is revoked at the gateway', async () => {
    const { id, key } = await createKey('revoking', '--scope', 'forms:read');
    const refused = await kg(['keys', 'revoke', id]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/pass --yes/);
    expect((await call(key)).status).toBe(200);
    const revoked = await kg(['keys', 'revoke', id, '--yes']);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toMatch(/status\s+revoked/);
    expect((await call(key)).status).toBe(401);
    const again = await kg(['keys', 'enable', id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/conflicts with the current state: The key is revoked/);
  });
});

describe('e2e: CLI usage and requests', () => {
  it('usage of a key, its project and the gateway: chart, totals by outcome and route', async () => {
    const project = (await kg(['projects', 'create', 'usage test', '-q'])).stdout.trim();
    const res = await run(['--insecure', '--json', 'keys', 'create', project, 'counted', '--scope', 'forms:read'], env);
    const { id, key } = JSON.parse(res.stdout) as { id: string; key: string };
    for (let i = 0; i < 3; i++) expect((await call(key)).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await call(key, '/elsewhere')).status).toBe(404);

    const usage = await kg(['usage', '--key', id, '--granularity', 'minute']);
    expect(usage.code, usage.stderr).toBe(0);
    // The key is named, not only numbered.
    expect(usage.stdout).toMatch(new RegExp(`Usage of key ${id} \\(counted\\) · by minute`));
    expect(usage.stdout).toMatch(/^5 ┤.*[█▒]/m);
    // Without colour the refusals are shaded above the allowed calls; the legend says how many.
    expect(usage.stdout).toMatch(/^0 ┤.*█/m);
    expect(usage.stdout).toMatch(/[▒░]/);
    expect(usage.stdout).not.toContain('\u001b[');
    expect(usage.stdout).toMatch(/^█ allowed 3 \(60%\) {2}▒ route-not-found 2 \(40%\)$/m);
    expect(usage.stdout).toMatch(/Total {2}5 calls/);
    expect(usage.stdout).toMatch(/^allowed\s+3\s+60%$/m);
    expect(usage.stdout).toMatch(/^route-not-found\s+2\s+40%$/m);
    expect(usage.stdout).toMatch(/^\* \/forms\/\*\s+3\s+60%$/m);
    expect(usage.stdout).toMatch(/^\(no route rule\)\s+2\s+40%$/m);
    expect(usage.stdout).toMatch(/^2xx\s+3/m);
    // The series by --group-by (outcome by default), a row per non-empty bucket, with its relative time.
    expect(usage.stdout).toMatch(/^By outcome$/m);
    expect(usage.stdout).toMatch(/^MINUTE\s+allowed\s+route-not-found\s+TOTAL$/m);
    expect(usage.stdout).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:00Z \((just now|\d+s ago|1m ago)\)\s+3\s+2\s+5$/m);
    const byRoute = await kg(['usage', '--key', id, '--granularity', 'minute', '--group-by', 'route']);
    expect(byRoute.stdout).toMatch(/^By route$/m);
    expect(byRoute.stdout).toMatch(/^MINUTE\s+\* \/forms\/\*\s+\(no route rule\)\s+TOTAL$/m);
    expect(byRoute.stdout).not.toMatch(/^By outcome$/m);

    // In colour, each outcome is painted with its own colour from src/core/outcome-colours.ts.
    // Not a terminal (a pipe, as here) and no FORCE_COLOR: no colour either.
    expect((await kg(['usage', '--key', id, '--granularity', 'minute'], { NO_COLOR: '' })).stdout).not.toContain('\u001b[');
    const coloured = await kg(['usage', '--key', id, '--granularity', 'minute'], { NO_COLOR: '', FORCE_COLOR: '1' });
    expect(coloured.stdout).toContain(`\u001b[38;5;${OUTCOME_COLOURS.allowed!.ansi}m`);
    expect(coloured.stdout).toContain(`\u001b[38;5;${OUTCOME_COLOURS['route-not-found']!.ansi}m■`);

    const asJson = JSON.parse((await kg(['--json', 'usage', '--project', project, '--from', '10m', '--granularity', 'minute'])).stdout) as {
      total: number;
      byOutcome: Record<string, number>;
      topKeys: { keyId: string; count: number }[];
    };
    expect(asJson.total).toBe(5);
    expect(asJson.byOutcome).toEqual({ allowed: 3, 'route-not-found': 2 });
    expect(asJson.topKeys).toEqual([{ keyId: id, count: 5 }]);

    // Three keys of one call each: 34 % + 33 % + 33 %, not 33 % three times.
    const shared = (await kg(['projects', 'create', 'shares test', '-q'])).stdout.trim();
    for (const name of ['one', 'two', 'three']) {
      const made = JSON.parse((await kg(['--json', 'keys', 'create', shared, name, '--scope', 'forms:read'])).stdout) as { key: string };
      expect((await call(made.key)).status).toBe(200);
    }
    const shares = await kg(['usage', '--project', shared, '--granularity', 'minute']);
    const keyRows = shares.stdout.split('\n').filter((line) => /^key_\w+\s+(one|two|three)\s+1\s+\d+%$/.test(line));
    expect(keyRows).toHaveLength(3);
    expect(keyRows.map((line) => Number(/(\d+)%$/.exec(line)![1])).sort()).toEqual([33, 33, 34]);
    expect(shares.stdout).toMatch(/^KEY\s+NAME\s+CALLS\s+SHARE$/m);
    expect(shares.stdout).toMatch(new RegExp(`^Usage of project ${shared} \\(shares test\\) · by minute`, 'm'));

    const gateway = await kg(['usage', '--granularity', 'minute']);
    expect(gateway.stdout).toMatch(/Usage of the gateway/);
    expect(gateway.stdout).toMatch(new RegExp(`^${id}\\s+counted\\s+5\\s+\\d+%$`, 'm'));
    expect((await kg(['usage', '--key', id, '--project', project])).code).toBe(2);
  });

  it("requests lists a key's calls oldest first; --follow prints new ones until interrupted", async () => {
    const { id, key } = await createKey('followed', '--scope', 'forms:read');
    const first = await call(key);
    const second = await call(key, '/forms/2');
    const listed = await kg(['requests', id]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout.indexOf(first.requestId)).toBeGreaterThan(-1);
    expect(listed.stdout.indexOf(first.requestId)).toBeLessThan(listed.stdout.indexOf(second.requestId));
    // A header row, a route column, and every line aligned under it.
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^AT\s+AGO\s+METHOD\s+STATUS\s+LATENCY\s+OUTCOME\s+ROUTE\s+CLIENT IP\s+REQUEST ID\s+PATH$/);
    expect(listed.stdout).toMatch(/GET\s+200\s+\d+ms\s+allowed\s+\* \/forms\/\*\s+127\.0\.0\.1\s+\S+\s+\/forms\/2$/m);
    for (const column of ['METHOD', 'ROUTE', 'REQUEST ID', 'PATH']) {
      const at = lines[0]!.indexOf(column);
      for (const line of lines.slice(1)) expect(line[at - 1], `${column}: ${line}`).toBe(' ');
      for (const line of lines.slice(1)) expect(line[at], `${column}: ${line}`).not.toBe(' ');
    }
    expect(lines[1]).toMatch(/^\S+ \S+\s+(just now|\d+s ago)\s/);

    const child = start(['--insecure', 'requests', id, '--follow'], env);
    const watched = watch(child);
    await watched.until((out) => out.includes(second.requestId));
    expect(watched.stdout).toMatch(/^AT\s+AGO\s+METHOD\s+STATUS\s+LATENCY\s+OUTCOME\s+ROUTE\s/);
    const third = await call(key, '/forms/3');
    await watched.until((out) => out.includes(third.requestId));
    // Printed once each, however many polls happened.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(watched.stdout.split(third.requestId)).toHaveLength(2);
    expect(watched.stdout.split(first.requestId)).toHaveLength(2);
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('a --token on the command line does not stay in the process title (ps)', async () => {
    const { id } = await createKey('title', '--scope', 'forms:read');
    const child = start(['--insecure', '--token', E2E_ADMIN_TOKEN, 'requests', id, '--follow'], { ...env, KEYGATE_ADMIN_TOKEN: '' });
    const watched = watch(child);
    // It has parsed its arguments and made its first call by then (an empty log prints nothing).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8');
    const exited = new Promise((resolve) => child.on('close', resolve));
    child.kill('SIGINT');
    await exited;
    expect(watched.stderr).toBe('');
    expect(cmdline).not.toContain(E2E_ADMIN_TOKEN);
    expect(cmdline.replace(/\0+$/, '')).toBe('keygate');
  });

  it('the admin token appeared in no output of any run in this file', () => {
    for (const text of transcript) expect(text).not.toContain(E2E_ADMIN_TOKEN);
  });
});
