// The CLI's failures, each with the exit code the README promises: 1 the API refused,
// 2 bad usage, 3 keygate unreachable. Anything else that escapes is a bug and exits 1 too.

export const EXIT = { ok: 0, refused: 1, usage: 2, unreachable: 3 } as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    /** Extra lines printed under the message (field errors, hints). */
    readonly lines: string[] = [],
  ) {
    super(message);
  }
}

/** Bad usage: a missing option, an unparseable value, a refused confirmation. */
export function usageError(message: string, ...lines: string[]): CliError {
  return new CliError(message, EXIT.usage, lines);
}

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  requestId?: string;
  errors?: { path: string; message: string }[];
}

/** The API answered with an error: "title: detail" and one line per field error. */
export function apiRefusal(status: number, problem: Problem | null, fallback: string): CliError {
  const title = problem?.title ?? `HTTP ${status}`;
  const detail = problem?.detail ?? (problem === null ? fallback : undefined);
  const lines = (problem?.errors ?? []).map((e) => `  ${e.path || '(body)'}: ${e.message}`);
  if (problem?.requestId) lines.push(`  request id: ${problem.requestId}`);
  return new CliError(detail ? `${title}: ${detail}` : title, EXIT.refused, lines);
}
