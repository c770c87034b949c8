// verifyKey: credential → principal, or the reason it is refused. Format and checksum first (no
// lookup), then the in-isolate cache over KV. Faults (KV error, timeout, corrupt record) throw
// AuthUnavailableError: authentication fails closed, never open and never as a 401.

import { compilePrincipal, type Principal } from '../core/principal';
import { MAX_REMEMBERED, memory, type Lookup } from './memory';
import { parseKey, type Environment } from '../core/key-format';
import { hashKey } from '../core/key-hash';
import { KV_STALENESS_MS, type KeyRecord } from '../core/key-record';
import { readKeyRecord } from '../kv/keys';
import { withDeadline } from '../core/deadline';

/** `unproven`: the caller's `admit` refused the key before any lookup (a blocked address, api-key-auth.ts). */
export type RefusalReason = 'malformed' | 'bad-checksum' | 'unproven' | 'unknown' | 'disabled' | 'revoked' | 'expired';
export type VerifyOutcome =
  { ok: true; principal: Principal; hash: string } | { ok: false; reason: RefusalReason; keyId?: string; projectId?: string };

export class AuthUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`key lookup failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'AuthUnavailableError';
  }
}

const { cache, overrides } = memory.keys;
const { sockets } = memory;

/** The key's open WebSockets re-check at their next tick (proxy/socket-watch.ts). */
function wakeSockets(hash: string): void {
  const watched = sockets.get(hash);
  if (watched !== undefined) for (const socket of watched) socket.due = true;
}

/**
 * Applies a key change known to be newer than KV: drops the cached copy, overrides KV for a while,
 * and has the key's open WebSockets re-checked at once.
 * A change older than the one this isolate already holds for the key is ignored (a feed snapshot
 * taken before this isolate's own admin call must not undo it), except a revocation: revoked is
 * final, so it wins whatever the clocks of the two changes say.
 */
export function applyEdgeRecord(hash: string, record: KeyRecord, changedAt: number, now: number): void {
  const held = overrides.get(hash);
  if (held !== undefined && held.at > changedAt && record.status !== 'revoked') return;
  cache.delete(hash);
  if (sockets.size > 0) wakeSockets(hash);
  const until = changedAt + KV_STALENESS_MS;
  if (until <= now) return;
  overrides.delete(hash);
  overrides.set(hash, { found: { record, principal: compilePrincipal(record) }, at: changedAt, until });
  if (overrides.size > MAX_REMEMBERED) {
    const oldest = overrides.keys().next().value;
    if (oldest !== undefined) overrides.delete(oldest);
  }
}

function override(hash: string, now: number): Lookup | undefined {
  if (overrides.size === 0) return undefined;
  const entry = overrides.get(hash);
  if (entry === undefined) return undefined;
  if (entry.until <= now) {
    overrides.delete(hash);
    return undefined;
  }
  return entry.found;
}

async function load(kv: KVNamespace, hash: string): Promise<Lookup> {
  const record = await readKeyRecord(kv, hash);
  return record === null ? null : { record, principal: compilePrincipal(record) };
}

/** A KV read within `timeoutMs`: a stalled read (or a shared load that never settles) is a 503. */
async function withinDeadline(pending: Promise<Lookup>, timeoutMs: number): Promise<Lookup> {
  try {
    return await withDeadline(pending, timeoutMs, 'KV read');
  } catch (error) {
    throw new AuthUnavailableError(error);
  }
}

export interface VerifyDeps {
  kv: KVNamespace;
  prefix: string;
  timeoutMs: number;
  /** 0 disables the cache (every lookup reads KV; concurrent reads of one key still share one). */
  cacheTtlMs: number;
}

/** The lookup dependencies for this request's bindings and configuration. */
export function lookupDeps(kv: KVNamespace, config: { keyPrefix: string; authTimeoutMs: number; keyCacheTtlMs: number }): VerifyDeps {
  return { kv, prefix: config.keyPrefix, timeoutMs: config.authTimeoutMs, cacheTtlMs: config.keyCacheTtlMs };
}

/** The lookup result for a key hash, through the cache. Throws AuthUnavailableError on faults. */
export function lookupHash(deps: VerifyDeps, hash: string, now: number): Lookup | Promise<Lookup> {
  const known = override(hash, now);
  if (known !== undefined) return known;
  const found = cache.get(hash, now, deps.cacheTtlMs, () => load(deps.kv, hash), deps.timeoutMs);
  return found instanceof Promise ? withinDeadline(found, deps.timeoutMs) : found;
}

/**
 * Decides whether `credential` is a usable key at `now`. `beforeLookup` runs only for well-formed
 * keys (the change feed's freshness check: garbage never costs a registry call). `admit`, when
 * given, sees the key's hash first and may refuse it (`unproven`) before any lookup.
 */
export async function verifyKey(
  credential: string,
  deps: VerifyDeps,
  now: number,
  beforeLookup?: () => Promise<void> | undefined,
  admit?: (hash: string) => boolean,
): Promise<VerifyOutcome> {
  const parsed = parseKey(credential, deps.prefix);
  if (!parsed.ok) return { ok: false, reason: parsed.reason };
  const hash = await hashKey(credential);
  if (admit !== undefined && !admit(hash)) return { ok: false, reason: 'unproven' };
  return verifyHash(deps, hash, now, beforeLookup);
}

/**
 * verifyKey from the key's hash on: the decision again for a key already admitted once (an open
 * WebSocket's re-check, proxy/socket-watch.ts), without keeping the key itself.
 */
export async function verifyHash(
  deps: VerifyDeps,
  hash: string,
  now: number,
  beforeLookup?: () => Promise<void> | undefined,
): Promise<VerifyOutcome> {
  const pending = beforeLookup?.();
  if (pending !== undefined) {
    // While the request waits for the change feed, the record is read: what the feed brings
    // overrides it (lookupHash consults overrides first), and the second lookup below shares this
    // read or finds it cached, so a quiet call pays the longer of the two waits, not their sum.
    const early = lookupHash(deps, hash, now);
    if (early instanceof Promise) early.catch(() => undefined); // its fault, if any, is met again below
    await pending;
  }
  const found = await lookupHash(deps, hash, now);
  if (found === null) return { ok: false, reason: 'unknown' };
  const { record, principal } = found;
  if (record.status !== 'active') return { ok: false, reason: record.status, keyId: record.id, projectId: record.projectId };
  if (record.expiresAt !== null && record.expiresAt <= now)
    return { ok: false, reason: 'expired', keyId: record.id, projectId: record.projectId };
  return { ok: true, principal, hash };
}
