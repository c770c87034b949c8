export interface DeployConfig {
  name?: string;
  vars?: Record<string, unknown>;
  workers_dev?: boolean;
  routes?: unknown[];
  route?: unknown;
  services?: { binding: string }[];
}
export declare function deployCheck(config: DeployConfig): { problems: string[]; notes: string[] };
