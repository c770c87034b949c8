// The CLI's help and completion, read from the command tree the parser runs (buildProgram): every
// command has examples and shows the global flags it inherits, every argument is described, and the
// completion scripts of bash, zsh and fish are valid and complete what the tree holds.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { completionScript, completionTable } from '../../cli/completion';
import { examplesOf } from '../../cli/help';
import { buildProgram } from '../../cli/program';

function commands(cmd: Command, path = 'keygate'): [string, Command][] {
  return [[path, cmd], ...cmd.commands.flatMap((sub) => commands(sub, `${path} ${sub.name()}`))];
}

const all = commands(buildProgram()).slice(1);

function helpOf(cmd: Command): string {
  let text = '';
  cmd.configureOutput({ writeOut: (s) => (text += s) });
  cmd.outputHelp();
  return text;
}

/** Whether `shell` is installed here. */
function has(shell: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;
}

describe('cli: help', () => {
  it('every command has examples that run it, shown in its help after the inherited global flags', () => {
    expect(all.length).toBeGreaterThan(30);
    for (const [path, cmd] of all) {
      const lines = examplesOf(cmd);
      expect(lines.length, `${path} has no examples`).toBeGreaterThan(0);
      for (const line of lines) expect(line, path).toContain(path.split(' ').slice(0, 2).join(' '));
      const help = helpOf(cmd);
      const inherited = help.indexOf('Inherited flags:');
      expect(inherited, `${path}: no inherited flags`).toBeGreaterThan(0);
      for (const flag of ['--json', '--url <url>', '--token <token>', '--insecure', '-q, --quiet']) {
        expect(help.slice(inherited), `${path}: ${flag}`).toContain(flag);
      }
      // --version is the root's own.
      expect(help.slice(inherited)).not.toContain('--version');
      expect(help.indexOf('Examples:')).toBeGreaterThan(inherited);
      expect(help).toContain(`$ ${lines[0]}`);
    }
  });

  it('every argument has a description', () => {
    const args = all.flatMap(([path, cmd]) => cmd.registeredArguments.map((a) => [`${path} <${a.name()}>`, a.description] as const));
    expect(args.length).toBeGreaterThan(20);
    for (const [name, description] of args) expect(description, name).not.toBe('');
  });

  it('-q means --quiet, once, for every command: no command defines a -q of its own', () => {
    for (const [path, cmd] of all)
      expect(
        cmd.options.map((o) => o.short),
        path,
      ).not.toContain('-q');
    expect(buildProgram().options.find((o) => o.short === '-q')?.long).toBe('--quiet');
  });
});

describe('cli: completion', () => {
  const program = buildProgram();
  const table = completionTable(program);

  it('the table holds every command, with its own and its inherited flags', () => {
    expect(table.map((n) => n.path)).toEqual(all.map(([path]) => path.replace(/^keygate ?/, '')).toSpliced(0, 0, ''));
    const create = table.find((n) => n.path === 'keys create');
    const names = create?.flags.flatMap((f) => f.names);
    expect(names).toEqual(expect.arrayContaining(['--scope', '--env', '--json', '--url', '-q', '--quiet', '--help']));
    expect(create?.flags.find((f) => f.names.includes('--env'))?.choices).toEqual(['live', 'test']);
  });

  it('bash: the script is valid (bash -n) and completes subcommands, flags and choices', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keygate-completion-'));
    const file = join(dir, 'keygate.bash');
    writeFileSync(file, completionScript(program, 'bash'));
    const check = spawnSync('bash', ['-n', file], { encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
    /** COMPREPLY for the words typed, the last one being completed. */
    const complete = (...words: string[]) => {
      const script = `source ${file}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _keygate; printf '%s\\n' "\${COMPREPLY[@]}"`;
      const run = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      return run.stdout.split('\n').filter(Boolean);
    };
    expect(complete('keygate', '')).toEqual(expect.arrayContaining(['projects', 'keys', 'usage', 'whoami', 'completion']));
    expect(complete('keygate', 'k')).toEqual(['keys']);
    expect(complete('keygate', 'keys', 'r')).toEqual(['revoke', 'rotate']);
    // Global flags before the command, and their values, are skipped.
    expect(complete('keygate', '--url', 'https://x', '--json', 'keys', 'create', 'prj_1', '--s')).toEqual(['--scope']);
    expect(complete('keygate', 'keys', 'create', '--e')).toEqual(['--expires', '--env']);
    expect(complete('keygate', 'keys', 'create', '--env', '')).toEqual(['live', 'test']);
    expect(complete('keygate', 'usage', '--granularity', 'h')).toEqual(['hour']);
    expect(complete('keygate', 'usage', '--q')).toEqual(['--quiet']);
    expect(complete('keygate', 'completion', '')).toEqual([]);
  });

  it.skipIf(!has('zsh'))('zsh: the script is valid (zsh -n)', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'keygate-completion-')), '_keygate');
    writeFileSync(file, completionScript(program, 'zsh'));
    const check = spawnSync('zsh', ['-n', file], { encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
  });

  it.skipIf(!has('fish'))('fish: the script is valid (fish --no-execute) and completes subcommands', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'keygate-completion-')), 'keygate.fish');
    writeFileSync(file, completionScript(program, 'fish'));
    const check = spawnSync('fish', ['--no-execute', file], { encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
    const run = spawnSync('fish', ['-c', `source ${file}; complete -C 'keygate keys r'`], { encoding: 'utf8' });
    expect(run.stdout).toMatch(/^revoke\t/m);
  });

  it('zsh and fish scripts name every subcommand and flag of the table', () => {
    for (const shell of ['zsh', 'fish'] as const) {
      const script = completionScript(program, shell);
      for (const node of table) {
        for (const sub of node.subcommands) expect(script, `${shell}: ${sub.name}`).toContain(sub.name);
        for (const flag of node.flags)
          for (const name of flag.names) expect(script, `${shell}: ${name}`).toContain(name.replace(/^-+/, ''));
      }
    }
  });
});
