// keygate completion <shell>: prints the completion script of bash, zsh or fish, made from the
// command tree itself (../completion.ts).

import { Argument, Command } from 'commander';
import { completionScript, SHELLS, type Shell } from '../completion';
import { examples } from '../help';

function root(cmd: Command): Command {
  let top = cmd;
  while (top.parent) top = top.parent;
  return top;
}

export function completionCommand(): Command {
  return examples(
    new Command('completion')
      .description('print the shell completion script of bash, zsh or fish (see the README for where to put it)')
      .addArgument(new Argument('<shell>', 'the shell: bash, zsh or fish').choices(SHELLS))
      .action((shell: Shell, _opts: unknown, cmd: Command) => {
        process.stdout.write(completionScript(root(cmd), shell));
      }),
    'keygate completion bash > ~/.local/share/bash-completion/completions/keygate',
    'keygate completion zsh > "${fpath[1]}/_keygate"',
    'keygate completion fish > ~/.config/fish/completions/keygate.fish',
  );
}
