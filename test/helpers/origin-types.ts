// What the fake origin records of each request it receives (shared by Node and workerd code).

export interface RecordedCall {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  rawHeaders: string[];
  bodyBytes: number;
  bodySha256: string;
  /** Bytes received before the client finished sending (streaming proof). */
  aborted: boolean;
  done: boolean;
}
