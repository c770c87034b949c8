// The one Node API keygate uses (nodejs_compat is on by default at our compatibility date):
// synchronous SHA-256 for the audit chain, where an await would let another append interleave.
declare module 'node:crypto' {
  interface Hash {
    update(data: string): Hash;
    digest(encoding: 'hex'): string;
  }
  export function createHash(algorithm: 'sha256'): Hash;
}
