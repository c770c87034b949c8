export interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  numTotalTests: number;
}
export declare const REPORT: string;
export declare function summaryLine(report: VitestReport): string;
export declare function exitCode(runnerStatus: number | null, report: VitestReport | undefined): number;
export declare function runAndSummarize(command: string, args: string[], reportPath?: string, print?: (line: string) => void): number;
