// scripts/test-summary.mjs (`npm run test:unit`): the closing "N passed, N failed" line is printed
// whether the run passed or failed, and a failed run keeps a failing exit code. The runner here is a
// stand-in (node writing a vitest-shaped report and exiting), so nothing recurses into vitest.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAndSummarize } from '../../scripts/test-summary.mjs';

/** Runs a fake runner that writes `report` (unless null) and exits with `status`. */
function run(report: object | null, status: number): { code: number; lines: string[] } {
  const path = join(mkdtempSync(join(tmpdir(), 'kg-summary-')), 'vitest.json');
  const write =
    report === null ? '' : `require('node:fs').writeFileSync(${JSON.stringify(path)}, ${JSON.stringify(JSON.stringify(report))});`;
  const lines: string[] = [];
  const code = runAndSummarize(process.execPath, ['-e', `${write} process.exit(${status})`], path, (line) => lines.push(line));
  return { code, lines };
}

const counts = (passed: number, failed: number, pending = 0) => ({
  numPassedTests: passed,
  numFailedTests: failed,
  numPendingTests: pending,
  numTodoTests: 0,
  numTotalTests: passed + failed + pending,
});

describe('npm run test:unit: the closing line', () => {
  it('is printed when a test fails, and the exit code stays a failure', () => {
    expect(run(counts(40, 1), 1)).toEqual({ code: 1, lines: ['40 passed, 1 failed, 0 skipped'] });
  });

  it('is printed when all pass (exit 0), with skipped tests counted', () => {
    expect(run(counts(40, 0, 2), 0)).toEqual({ code: 0, lines: ['40 passed, 0 failed, 2 skipped'] });
  });

  it('keeps a failure the report does not count (an unhandled error) and a run that wrote no report', () => {
    expect(run(counts(3, 0), 1).code).toBe(1);
    const none = run(null, 2);
    expect(none.code).toBe(2);
    expect(none.lines[0]).toMatch(/wrote no report/);
    expect(run(counts(0, 0), 0).code).toBe(1); // no test ran
  });
});
