// A setting that cannot be used: thrown while the configuration is parsed, answered as 503
// misconfigured (edge/gateway.ts faultResponse), so that a bad deployment fails closed.

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
