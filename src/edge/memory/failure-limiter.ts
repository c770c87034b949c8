// Per-client-address limit on failed authentications (brute force, enumeration, floods of old
// keys), kept in the isolate (memory.failures, memory.adminFailures): fixed one-minute windows, bounded memory. The failures are limited,
// not the address's valid calls: clients behind one NAT or proxy share an address with whoever
// floods it. An address over its limit keeps every credential it has proven — one that succeeded
// from it within PROVEN_MS — and cannot test any other until its window ends (429, no lookup, no
// comparison). So a neighbour's flood never locks out a client that is using its key, and a
// blocked address gains no oracle: a credential it never proved gets the same 429 whether it is
// valid or not. A credential first used from an address while it is blocked waits for the window.

const WINDOW_MS = 60_000;
/** How long a credential that succeeded from an address stays proven for it. */
export const PROVEN_MS = 10 * 60_000;
/** Addresses remembered (windows, proven credentials): past it the oldest is forgotten. */
const MAX_TRACKED = 10_000;
/** Credentials remembered per address (a NAT of many clients); past it the oldest is forgotten. */
const MAX_PROVEN_PER_ADDRESS = 64;

interface Window {
  start: number;
  failures: number;
}

interface Proven {
  until: number;
  /** Fingerprints (a prefix of the credential's SHA-256) in the order first seen. */
  prints: Set<string>;
}

/** A Map bounded to MAX_TRACKED entries, the oldest inserted going first. */
function bound<V>(map: Map<string, V>): void {
  if (map.size <= MAX_TRACKED) return;
  const oldest = map.keys().next().value;
  if (oldest !== undefined) map.delete(oldest);
}

export class FailureLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly proven = new Map<string, Proven>();

  /** Seconds until `ip` may test a credential it has not proven, or 0 when it is not blocked. */
  blockedFor(ip: string, limit: number, now: number): number {
    if (limit === 0) return 0;
    const w = this.windows.get(ip);
    if (w === undefined || now - w.start >= WINDOW_MS || w.failures < limit) return 0;
    return Math.max(1, Math.ceil((w.start + WINDOW_MS - now) / 1000));
  }

  recordFailure(ip: string, now: number): void {
    const w = this.windows.get(ip);
    if (w !== undefined && now - w.start < WINDOW_MS) {
      w.failures++;
      return;
    }
    this.windows.delete(ip);
    this.windows.set(ip, { start: now, failures: 1 });
    bound(this.windows);
  }

  /** `ip` authenticated with the credential whose SHA-256 (hex) is `hash`. Cheap: on every admitted call. */
  recordSuccess(ip: string, hash: string, now: number): void {
    const print = hash.slice(0, 16);
    let p = this.proven.get(ip);
    if (p === undefined) {
      this.proven.set(ip, (p = { until: 0, prints: new Set() }));
      bound(this.proven);
    } else if (p.until <= now) {
      p.prints.clear();
    }
    p.until = now + PROVEN_MS;
    if (p.prints.has(print)) return;
    if (p.prints.size >= MAX_PROVEN_PER_ADDRESS) p.prints.delete(p.prints.values().next().value as string);
    p.prints.add(print);
  }

  /** True when the credential with SHA-256 `hash` succeeded from `ip` within PROVEN_MS. */
  hasProven(ip: string, hash: string, now: number): boolean {
    const p = this.proven.get(ip);
    return p !== undefined && p.until > now && p.prints.has(hash.slice(0, 16));
  }

  clear(): void {
    this.windows.clear();
    this.proven.clear();
  }
}
