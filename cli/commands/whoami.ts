// keygate whoami: where the CLI connects and as whom — the URL, the token's fingerprint (never the
// token), whether keygate answers (one real call, timed), its version and the CLI's own.

import { createHash } from 'node:crypto';
import { Command } from 'commander';
import { version as cliVersion } from '../../package.json';
import { createClient } from '../client';
import { resolveConnection, type GlobalOptions } from '../connection';
import { CliError, EXIT } from '../errors';
import { examples } from '../help';
import { color, fields, json, out } from '../output';

/**
 * adm_ + the first 12 hex digits of the token's SHA-256: the name the audit log gives its holder
 * (src/admin/auth.ts actorId). Six bytes of a hash tell tokens apart and reveal nothing of them.
 */
export function tokenFingerprint(token: string): string {
  return `adm_${createHash('sha256').update(token).digest('hex').slice(0, 12)}`;
}

interface Answer {
  reachable: boolean;
  latencyMs: number | null;
  serverVersion: string | null;
  error: CliError | null;
}

async function ask(conn: ReturnType<typeof resolveConnection>): Promise<Answer> {
  const client = createClient(conn);
  const started = performance.now();
  try {
    const { version } = await client.call<{ version: string }>('GET', '/version');
    return { reachable: true, latencyMs: Math.round(performance.now() - started), serverVersion: version, error: null };
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    // A refusal (a wrong token) is still an answer: keygate is reachable.
    const reachable = err.exitCode !== EXIT.unreachable;
    return { reachable, latencyMs: reachable ? Math.round(performance.now() - started) : null, serverVersion: null, error: err };
  } finally {
    await client.close();
  }
}

export function whoamiCommand(): Command {
  return examples(
    new Command('whoami')
      .description('show the keygate URL, the admin token’s fingerprint, whether keygate answers, and both versions')
      .action(async (_opts: unknown, cmd: Command) => {
        const opts = cmd.optsWithGlobals<GlobalOptions>();
        const conn = resolveConnection(opts);
        const answer = await ask(conn);
        const fingerprint = tokenFingerprint(conn.token);
        if (opts.json) {
          const { error, ...rest } = answer;
          json({
            url: conn.url,
            tokenFingerprint: fingerprint,
            tokenFrom: conn.tokenFrom,
            ...rest,
            cliVersion,
            error: error?.message ?? null,
          });
        } else {
          const reach = answer.error
            ? color.red(answer.reachable ? `answers ${answer.latencyMs} ms, but refuses: ${answer.error.message}` : 'no')
            : color.green(`yes · ${answer.latencyMs} ms`);
          out(
            fields([
              ['url', conn.url],
              ['token', `${color.bold(fingerprint)} ${color.dim(`from ${conn.tokenFrom}; the audit log's actor`)}`],
              ['reachable', reach],
              ['keygate', answer.serverVersion ?? '—'],
              ['cli', cliVersion],
            ]),
          );
        }
        if (answer.error) throw answer.error;
      }),
    'keygate whoami',
    'keygate whoami --json',
    'keygate whoami -q && echo reachable',
  );
}
