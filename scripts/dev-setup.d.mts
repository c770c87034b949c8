export interface Signing {
  created: boolean;
  raw: string;
  publicJwk: { kty: string; crv: string; x: string; kid?: string };
}
export declare function readDevVar(text: string, name: string): string | undefined;
export declare function ensureAdminToken(path: string): boolean;
export declare function ensureSigningKey(path: string): Signing;
export interface DevPlan {
  origin: { command: string; args: string[]; env: Record<string, string> };
  reports: { command: string; args: string[]; env: Record<string, string> };
  worker: {
    config: string;
    bindings: Record<string, { type: 'secret_text' | 'plain_text'; value: string } | { type: 'json'; value: unknown }>;
    dev: { server: { port: number; secure: boolean }; persist: string };
  };
}
export declare function devPlan(options: {
  port: string;
  originPort: string;
  reportsPort?: string;
  signing: Signing;
  nodePath?: string;
}): DevPlan;
export declare function startLog(url: string): (text: string) => string | undefined;
export declare function scheduledHint(url: string, crons: readonly string[]): string | undefined;
