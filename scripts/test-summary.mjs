// `npm run test:unit`: vitest, then its totals as the plain closing line CI reads ("N passed,
// N failed, N skipped") — printed whether the tests passed or not, with vitest's exit code kept.
// Arguments after `--` go to vitest (`npm run test:unit -- test/limits.test.ts`).

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPORT = 'test-results/vitest.json';

/** The closing line for vitest's JSON report. */
export function summaryLine(report) {
  const skipped = report.numPendingTests + report.numTodoTests;
  return `${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`;
}

/**
 * The run's exit code: the runner's when it failed (a failed test, an unhandled error, a crash), else
 * 1 when the report counts a failure or no test at all.
 */
export function exitCode(runnerStatus, report) {
  if (runnerStatus !== 0) return runnerStatus ?? 1;
  if (report === undefined) return 1;
  return report.numFailedTests > 0 || report.numTotalTests === 0 ? 1 : 0;
}

/** Runs `command args`, then prints the closing line from `reportPath`; returns the exit code. */
export function runAndSummarize(command, args, reportPath = REPORT, print = console.log) {
  rmSync(reportPath, { force: true }); // never summarise an earlier run's report
  const run = spawnSync(command, args, { stdio: 'inherit' });
  const report = existsSync(reportPath) ? JSON.parse(readFileSync(reportPath, 'utf8')) : undefined;
  if (report === undefined) print(`test summary: the test runner wrote no report (exit ${run.status ?? run.signal})`);
  else print(summaryLine(report));
  return exitCode(run.error ? 1 : run.status, report);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
  const args = ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${REPORT}`, ...process.argv.slice(2)];
  process.exit(runAndSummarize(process.execPath, [vitest, ...args]));
}
