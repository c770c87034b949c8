// keygate CLI entry. Built to bin/keygate.mjs (scripts/build-cli.mjs) for Node ≥ 20.
// Exit codes: 0 ok, 1 the API refused, 2 bad usage, 3 keygate unreachable.

import { CommanderError } from 'commander';
import { redact } from './connection';
import { CliError, EXIT } from './errors';
import { errColor } from './output';
import { buildProgram, forEachCommand } from './program';

// The process title replaces the command line in `ps` (on Linux it overwrites argv's memory), so a
// --token given on the command line does not stay visible to other users.
process.title = 'keygate';

// `keygate usage | head`: once the reader has gone, nothing more can be said to it; exit quietly
// (0, as the output it asked for was delivered) instead of dying on an unhandled EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(EXIT.ok);
    throw err;
  });
}

function printError(message: string, lines: string[] = []): void {
  process.stderr.write(`${errColor.red(`error: ${redact(message)}`)}\n`);
  for (const line of lines) process.stderr.write(`${redact(line)}\n`);
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  forEachCommand(program, (cmd) => cmd.exitOverride().configureOutput({ outputError: (text, write) => write(errColor.red(redact(text))) }));
  try {
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (err) {
    // commander's own errors (unknown command, missing argument, invalid value) are bad usage;
    // --help and --version exit 0.
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (err instanceof CliError) {
      printError(err.message, err.lines);
      return err.exitCode;
    }
    printError(`unexpected failure: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return EXIT.refused;
  }
}

process.exitCode = await main(process.argv);
