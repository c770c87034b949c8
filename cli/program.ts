// The command tree (commander): global connection and output options, one module per command group.

import { Command } from 'commander';
import { version } from '../package.json';
import { auditCommand } from './commands/audit';
import { completionCommand } from './commands/completion';
import { customersCommand } from './commands/customers';
import { plansCommand } from './commands/plans';
import { keysCommand } from './commands/keys';
import { loginCommand, logoutCommand } from './commands/login';
import { projectsCommand } from './commands/projects';
import { requestsCommand } from './commands/requests';
import { usageCommand } from './commands/usage';
import { whoamiCommand } from './commands/whoami';
import { configureHelp } from './help';
import { setQuiet } from './output';
import { verifyTokensCommand } from './commands/verify-tokens';

const HELP_FOOTER = `
Connection: --url/--token, else KEYGATE_URL/KEYGATE_ADMIN_TOKEN, else what \`keygate login\` saved.
Prefer KEYGATE_ADMIN_TOKEN or \`keygate login\` to --token: a command line is visible to other users.

Exit codes: 0 ok · 1 the API refused (its title and detail are printed) · 2 bad usage · 3 keygate unreachable.
Colors are off with NO_COLOR or when the output is not a terminal.`;

export function buildProgram(): Command {
  const program = new Command('keygate')
    .description('Manage a keygate edge API-key authorizer: projects, keys, customers, plans, usage, audit.')
    .version(version)
    .option('--url <url>', 'the keygate base URL, e.g. https://api.example.com')
    .option('--token <token>', 'the admin token (safer: KEYGATE_ADMIN_TOKEN or `keygate login`)')
    .option('--insecure', 'accept a self-signed certificate (localhost only)')
    .option('--json', "print the API's JSON instead of tables")
    .option('-q, --quiet', 'print only what a script needs: the id (or key) created, the ids listed; else nothing but errors')
    .addHelpText('after', HELP_FOOTER)
    .hook('preAction', (_program, action) => setQuiet(action.optsWithGlobals<{ quiet?: boolean }>().quiet === true));
  // One command per line, in the order of the help; each module declares its arguments, flags and examples.
  program.addCommand(loginCommand());
  program.addCommand(logoutCommand());
  program.addCommand(projectsCommand());
  program.addCommand(keysCommand());
  program.addCommand(customersCommand());
  program.addCommand(plansCommand());
  program.addCommand(usageCommand());
  program.addCommand(requestsCommand());
  program.addCommand(auditCommand());
  program.addCommand(whoamiCommand());
  program.addCommand(completionCommand());
  program.addCommand(verifyTokensCommand());
  forEachCommand(program, configureHelp);
  return program;
}

/** Applies a setting to a command and all its subcommands (addCommand does not pass settings down). */
export function forEachCommand(cmd: Command, apply: (c: Command) => void): void {
  apply(cmd);
  for (const sub of cmd.commands) forEachCommand(sub, apply);
}
