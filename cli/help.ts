// How every command's help reads, gh-style: its own flags, then the global ones it inherits
// (--json, --url, …, usable after the command too), then its examples. A usage error prints the
// help of the command it happened in, so a missing argument shows what the command takes.

import { Help, type Command, type Option } from 'commander';

/** Commander's headings, renamed the way `gh` names them. */
const HEADINGS: Record<string, string> = { 'Options:': 'Flags:', 'Global Options:': 'Inherited flags:' };

const EXAMPLES = new WeakMap<Command, string[]>();

/**
 * Declares a command's examples (shell lines, without the prompt), shown under its help. Every
 * command that does something has some: the help test walks the tree and checks.
 */
export function examples<C extends Command>(cmd: C, ...lines: string[]): C {
  EXAMPLES.set(cmd, lines);
  return cmd;
}

export function examplesOf(cmd: Command): string[] {
  return EXAMPLES.get(cmd) ?? [];
}

function examplesText(cmd: Command): string {
  const lines = examplesOf(cmd);
  return lines.length === 0 ? '' : `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;
}

/** The help settings of one command (commander does not pass them down to subcommands). */
export function configureHelp(cmd: Command): void {
  cmd.configureHelp({
    showGlobalOptions: true,
    styleTitle: (title) => HEADINGS[title] ?? title,
    // --version is the root's alone: `keygate keys -V` would print the same, but is no flag of keys.
    visibleGlobalOptions(this: Help, sub: Command): Option[] {
      return Help.prototype.visibleGlobalOptions.call(this, sub).filter((o) => o.long !== '--version');
    },
  });
  cmd.showHelpAfterError(true);
  cmd.addHelpText('after', () => examplesText(cmd));
}

/** The ids commands take as arguments, described once. */
export const ARG = {
  projectId: 'the project’s id (prj_…, from `keygate projects list`)',
  keyId: 'the key’s id (key_…, from `keygate keys list`), never its plaintext',
  customerId: 'the customer’s id (cus_…, from `keygate customers list`)',
  planId: 'the plan’s id (pln_…, from `keygate plans list`)',
} as const;
