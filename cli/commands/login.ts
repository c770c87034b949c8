// keygate login / logout: save (or forget) the URL and admin token in the config file (0600),
// after checking them against the admin API. The token is read from a no-echo prompt or stdin,
// so it need not appear in argv or shell history.

import { Command } from 'commander';
import { createClient } from '../client';
import { configPath, removeConfig, writeConfig } from '../config';
import { checkUrl, keepSecret, type GlobalOptions } from '../connection';
import { usageError } from '../errors';
import { color, json, out } from '../output';
import { interactive, readHidden, readStdin } from '../prompt';
import { examples } from '../help';

async function readToken(opts: GlobalOptions & { tokenStdin?: boolean }): Promise<string> {
  if (opts.tokenStdin) return readStdin();
  const given = opts.token ?? process.env.KEYGATE_ADMIN_TOKEN;
  if (given) return given;
  if (interactive()) return readHidden('Admin token (not shown): ');
  throw usageError('no admin token: pipe it with --token-stdin, set KEYGATE_ADMIN_TOKEN, or run in a terminal to be asked');
}

export function loginCommand(): Command {
  return examples(
    new Command('login'),
    'keygate login --url https://api.example.com',
    'keygate login --url https://localhost:8787 --insecure --token-stdin < admin-token.txt',
  )
    .description('check a URL and admin token, and save them for later commands (mode 0600)')
    .option('--token-stdin', 'read the admin token from standard input')
    .action(async (_opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions & { tokenStdin?: boolean }>();
      const raw = opts.url ?? process.env.KEYGATE_URL;
      if (!raw) throw usageError('which keygate? `keygate login --url https://keygate.example.com`');
      const url = checkUrl(raw, opts.insecure === true);
      const token = await readToken(opts);
      if (!token) throw usageError('the admin token is empty');
      keepSecret(token);
      const client = createClient({ url, token, insecure: opts.insecure === true });
      try {
        await client.call('GET', '/projects', { query: { limit: 1 } });
      } finally {
        await client.close();
      }
      const path = configPath();
      writeConfig({ url, token, ...(opts.insecure ? { insecure: true } : {}) }, path);
      if (opts.json) json({ url, configPath: path });
      else out(`${color.green('Logged in')} to ${url}; saved to ${path} (readable only by you).`);
    });
}

export function logoutCommand(): Command {
  return examples(new Command('logout'), 'keygate logout')
    .description('forget the saved URL and token')
    .action(() => {
      const path = configPath();
      out(removeConfig(path) ? `Removed ${path}.` : `Not logged in (no ${path}).`);
    });
}
