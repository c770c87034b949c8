// An open WebSocket stays open only while its key would still be admitted: a key revoked, disabled
// or expired closes it with 1008 (policy violation), within the revocation bound. Each socket is
// registered under its key's hash in the isolate (memory.sockets) and re-checked by a timer of its
// own — a socket belongs to the request that opened it, and workerd refuses to close it from any
// other — every RECHECK_MS, or at the next tick after the change feed applied a change to its key
// (verify-key.ts applyEdgeRecord sets `due`). The re-check is the data plane's decision again, from
// the key's hash (the key itself is not kept): the change feed's freshness, the record's status and
// expiry, the IP allowlist, the route rule's scopes. When the freshness of that decision cannot be
// confirmed (the change feed unreachable under FEED_FAILURE_POLICY=refuse, a KV fault) the socket
// is closed with 1013 (try again later): authentication fails closed on a socket too.

import { log } from '../../log';
import { cidrContains, parseIp } from '../../core/ip';
import { firstMissingScope } from '../../core/scopes';
import type { Principal } from '../../core/principal';
import { memory, type WatchedSocket } from '../memory';
import { ensureFresh } from '../feed/freshness';
import { AuthUnavailableError, lookupDeps, verifyHash } from '../verify-key';
import type { StepContext } from '../step';

/** A socket's key is re-checked at least this often… */
export const RECHECK_MS = 1_000;
/** …and its timer looks this often whether the change feed has flagged its key (a timer turn, nothing more). */
const TICK_MS = 250;

export interface CloseReason {
  code: 1008 | 1013;
  reason: string;
}

const NO_LONGER_VALID: CloseReason = { code: 1008, reason: 'keygate: the API key no longer allows this connection' };
const CANNOT_CONFIRM: CloseReason = { code: 1013, reason: 'keygate: the API key cannot be re-checked now; reconnect later' };

const { sockets } = memory;

/** Whether `principal` still allows what the upgrade was allowed: its address and the route rule's scopes. */
function stillAllowed(c: StepContext, principal: Principal): boolean {
  if (principal.ipAllowlist !== null) {
    const address = parseIp(c.get('clientIp'));
    if (address === null || !principal.ipAllowlist.some((cidr) => cidrContains(cidr, address))) return false;
  }
  const rule = c.get('routeRule');
  return rule === undefined || firstMissingScope(principal.scopes, rule.scopes) === undefined;
}

/** The upgrade's decision taken again at `now`: undefined while the key still allows the connection. */
async function recheck(c: StepContext, hash: string, now: number): Promise<CloseReason | undefined> {
  const config = c.get('config');
  try {
    const outcome = await verifyHash(lookupDeps(c.env.KEYS, config), hash, now, () => ensureFresh(c, now, config.feed));
    if (!outcome.ok) {
      log('info', 'websocket closed: key refused', { requestId: c.get('requestId'), reason: outcome.reason, keyId: outcome.keyId });
      return NO_LONGER_VALID;
    }
    if (stillAllowed(c, outcome.principal)) return undefined;
    log('info', 'websocket closed: key no longer allowed here', { requestId: c.get('requestId'), keyId: outcome.principal.keyId });
    return NO_LONGER_VALID;
  } catch (error) {
    if (!(error instanceof AuthUnavailableError)) throw error;
    log('warn', 'websocket closed: key cannot be re-checked', { requestId: c.get('requestId'), error: error.message });
    return CANNOT_CONFIRM;
  }
}

/**
 * Watches the socket of the upgrade `c` (its key's hash `hash`) until the returned function is
 * called (the socket closed); `close` ends it when the key stops allowing it.
 */
export function watchSocket(c: StepContext, hash: string, close: (why: CloseReason) => void): () => void {
  const watched: WatchedSocket = { due: false };
  const set = sockets.get(hash) ?? new Set<WatchedSocket>();
  set.add(watched);
  sockets.set(hash, set);
  let checkedAt = Date.now();
  let checking = false;
  const timer = setInterval(() => {
    const now = Date.now();
    if (checking || (!watched.due && now - checkedAt < RECHECK_MS)) return;
    watched.due = false;
    checkedAt = now;
    checking = true;
    recheck(c, hash, now)
      .then((why) => why !== undefined && close(why))
      .catch((error: unknown) => {
        // Fails closed like any authentication fault.
        log('error', 'websocket re-check failed', { requestId: c.get('requestId'), error: String(error) });
        close(CANNOT_CONFIRM);
      })
      .finally(() => (checking = false));
  }, TICK_MS);
  return () => {
    clearInterval(timer);
    set.delete(watched);
    if (set.size === 0 && sockets.get(hash) === set) sockets.delete(hash);
  };
}
