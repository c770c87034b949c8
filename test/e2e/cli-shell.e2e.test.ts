// The CLI as a shell user meets it, against a real keygate (deploy bundle in workerd, https): help
// with the inherited global flags and examples, a missing argument's usage, `whoami`, completion
// scripts, -q meaning quiet everywhere, and a closed pipe (`keygate usage | head`) ending quietly.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { version } from '../../package.json';
import { buildCli, cliEnv, closedPort, run, start, transcript } from './cli-runner';
import { E2E_ADMIN_TOKEN, startStack, type Stack } from './keygate-server';

let stack: Stack;
let env: Record<string, string>;

beforeAll(async () => {
  buildCli();
  stack = await startStack();
  env = cliEnv(stack);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

const kg = (args: string[], extra: Record<string, string> = {}) => run(['--insecure', ...args], { ...env, ...extra });

describe('e2e: CLI help', () => {
  it("a subcommand's help shows its flags, the global flags it inherits, and its examples", async () => {
    const help = await kg(['keys', 'create', '--help']);
    expect(help.code).toBe(0);
    const [own, inherited] = help.stdout.split('Inherited flags:') as [string, string];
    expect(own).toMatch(/^Flags:\n {2}--scope <scope>/m);
    expect(own).toMatch(/^ {2}projectId +the project’s id/m);
    for (const flag of ['--url <url>', '--token <token>', '--insecure', '--json', '-q, --quiet']) expect(inherited).toContain(flag);
    expect(inherited).toMatch(/Examples:\n {2}\$ keygate keys create \$PROJECT "web app" --scope forms:read/);
  });

  it("a missing argument is bad usage (2): the error, then that command's usage; nothing is called", async () => {
    const missing = await kg(['requests'], { KEYGATE_URL: `https://127.0.0.1:${await closedPort()}` });
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/^error: missing required argument 'keyId'\n\nUsage: keygate requests \[options\] <keyId>$/m);
    expect(missing.stderr).toMatch(/keyId +the key’s id/);
    expect(missing.stderr).toContain('$ keygate requests $KEY --follow');
  });
});

describe('e2e: CLI whoami', () => {
  const fingerprint = `adm_${createHash('sha256').update(E2E_ADMIN_TOKEN).digest('hex').slice(0, 12)}`;

  it("shows the URL, the token's fingerprint (the audit log's actor), a timed call, and both versions", async () => {
    const who = await kg(['whoami']);
    expect(who.code, who.stderr).toBe(0);
    expect(who.stdout).toMatch(new RegExp(`^url +${stack.keygate.url.replace(/[.]/g, '\\.')}$`, 'm'));
    expect(who.stdout).toMatch(new RegExp(`^token +${fingerprint} from KEYGATE_ADMIN_TOKEN`, 'm'));
    expect(who.stdout).toMatch(/^reachable +yes · \d+ ms$/m);
    expect(who.stdout).toMatch(new RegExp(`^keygate +${version.replace(/\./g, '\\.')}$`, 'm'));
    expect(who.stdout).toMatch(new RegExp(`^cli +${version.replace(/\./g, '\\.')}$`, 'm'));
    expect(who.stdout).not.toContain(E2E_ADMIN_TOKEN);

    // The audit log names the token's holder with the same fingerprint.
    await kg(['projects', 'create', 'whoami test']);
    const audit = JSON.parse((await kg(['--json', 'audit', '--all'])).stdout) as { items: { actor: string }[] };
    expect(audit.items.at(-1)?.actor).toBe(fingerprint);

    const asJson = JSON.parse((await kg(['--json', 'whoami'])).stdout) as Record<string, unknown>;
    expect(asJson).toMatchObject({
      url: stack.keygate.url,
      tokenFingerprint: fingerprint,
      reachable: true,
      serverVersion: version,
      cliVersion: version,
    });
    expect(asJson.latencyMs).toEqual(expect.any(Number));
  });

  it('unreachable is 3, a refused token 1, each still showing what it knows; -q prints nothing', async () => {
    const url = `https://127.0.0.1:${await closedPort()}`;
    const down = await kg(['whoami'], { KEYGATE_URL: url });
    expect(down.code).toBe(3);
    expect(down.stdout).toMatch(/^reachable +no$/m);
    expect(down.stdout).toMatch(/^keygate +—$/m);
    expect(down.stderr).toMatch(/cannot reach keygate/);
    const wrong = await kg(['whoami'], { KEYGATE_ADMIN_TOKEN: 'not-the-admin-token-0123456789' });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/^reachable +answers \d+ ms, but refuses: A valid admin token is required/m);
    const quiet = await kg(['whoami', '-q']);
    expect([quiet.code, quiet.stdout, quiet.stderr]).toEqual([0, '', '']);
    expect((await kg(['-q', 'whoami'], { KEYGATE_URL: url })).code).toBe(3);
  });
});

describe('e2e: CLI completion', () => {
  it('bash, zsh and fish scripts from the bin; bash -n accepts its script; another shell is bad usage', async () => {
    const bash = await kg(['completion', 'bash']);
    expect(bash.code).toBe(0);
    expect(bash.stdout).toMatch(/^complete -F _keygate keygate$/m);
    const file = join(stack.dir, 'keygate.bash');
    writeFileSync(file, bash.stdout);
    expect(spawnSync('bash', ['-n', file]).status).toBe(0);
    const words = `source ${file}; COMP_WORDS=(keygate who); COMP_CWORD=1; _keygate; echo "\${COMPREPLY[@]}"`;
    expect(spawnSync('bash', ['-c', words], { encoding: 'utf8' }).stdout.trim()).toBe('whoami');
    expect((await kg(['completion', 'zsh'])).stdout).toMatch(/^#compdef keygate\n/);
    expect((await kg(['completion', 'fish'])).stdout).toMatch(/^complete -c keygate -f -n '__keygate_at ""' -a whoami /m);
    const tcsh = await kg(['completion', 'tcsh']);
    expect(tcsh.code).toBe(2);
    expect(tcsh.stderr).toMatch(/Allowed choices are bash, zsh, fish/);
  });
});

describe('e2e: CLI -q', () => {
  it('-q is quiet everywhere: ids for create and list, nothing for the rest; --json still prints', async () => {
    const id = (await kg(['projects', 'create', 'quiet one', '-q'])).stdout.trim();
    expect(id).toMatch(/^prj_[0-9A-Za-z]{20}$/);
    // Before the command too: -q is a global flag.
    const key = (await kg(['-q', 'keys', 'create', id, 'quiet key', '--scope', 'forms:read'])).stdout.trim();
    expect(key).toMatch(/^kg_live_[0-9A-Za-z]{38}$/);
    const listed = await kg(['keys', 'list', id, '-q']);
    expect(listed.stdout).toMatch(/^key_[0-9A-Za-z]{20}\n$/);
    const keyId = listed.stdout.trim();
    expect(await kg(['keys', 'update', keyId, '--name', 'renamed', '-q'])).toMatchObject({ code: 0, stdout: '' });
    expect(await kg(['keys', 'show', keyId, '-q'])).toMatchObject({ code: 0, stdout: '' });
    expect(await kg(['usage', '--key', keyId, '-q'])).toMatchObject({ code: 0, stdout: '' });
    expect((await kg(['projects', 'list', '-q'])).stdout.split('\n')).toContain(id);
    expect(JSON.parse((await kg(['keys', 'show', keyId, '-q', '--json'])).stdout)).toMatchObject({ id: keyId, name: 'renamed' });
    // Errors are never silenced.
    const missing = await kg(['keys', 'show', 'key_00000000000000000000', '-q']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: Not found/m);
  });
});

describe('e2e: CLI and a closed pipe', () => {
  it('every command exits quietly (0, nothing on stderr) when its reader has gone, as `keygate usage | head`', async () => {
    for (const args of [['usage'], ['projects', 'list'], ['audit'], ['whoami'], ['completion', 'bash'], ['--help'], ['keys', '--help']]) {
      const child = start(['--insecure', ...args], env);
      // The reader goes before the CLI has written anything.
      child.stdout?.destroy();
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect([args.join(' '), code, stderr]).toEqual([args.join(' '), 0, '']);
    }
  });

  it('the admin token appeared in no output of any run in this file', () => {
    expect(transcript.length).toBeGreaterThan(10);
    for (const text of transcript) expect(text).not.toContain(E2E_ADMIN_TOKEN);
  });
});
