// A key record as the request path uses it: compiled once per record read (scopes as a set, the
// allowlist parsed), then held in the isolate's cache.

import { parseCidr, type Cidr } from './ip';
import type { Environment } from './key-format';
import type { CustomerRef, KeyRecord } from './key-record';
import { keyLimits, type KeyLimits } from './limits';
import { compileScopes, type ScopeSet } from './scopes';

export interface Principal {
  keyId: string;
  projectId: string;
  environment: Environment;
  scopes: ScopeSet;
  /** The `Keygate-Scopes` header value, computed once per record. */
  scopesHeader: string;
  ipAllowlist: Cidr[] | null;
  expiresAt: number | null;
  /** Null for a key without rate limits, quota or credits: such keys never call a limiter. */
  limits: KeyLimits | null;
  /** The customer the key belongs to (the origin is told its ids). */
  customer: CustomerRef | null;
}

/** The record compiled for the request path: scopes as a set, CIDRs parsed; throws on a corrupt entry. */
export function compilePrincipal(record: KeyRecord): Principal {
  let ipAllowlist: Cidr[] | null = null;
  if (record.ipAllowlist && record.ipAllowlist.length > 0) {
    ipAllowlist = record.ipAllowlist.map((text) => {
      const cidr = parseCidr(text);
      if (cidr === null) throw new Error(`corrupt key record: ipAllowlist entry ${JSON.stringify(text)}`);
      return cidr;
    });
  }
  return {
    keyId: record.id,
    projectId: record.projectId,
    environment: record.environment,
    scopes: compileScopes(record.scopes),
    scopesHeader: record.scopes.join(' '),
    ipAllowlist,
    expiresAt: record.expiresAt,
    limits: keyLimits(record),
    customer: record.customer,
  };
}
