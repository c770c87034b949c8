// Per-client-address limit on failed authentications (brute force and enumeration), kept in the
// isolate: fixed one-minute windows, bounded memory. A client over the limit gets 429 until the
// window ends, before any hashing or lookup. Valid keys never count against it.

const WINDOW_MS = 60_000;
const MAX_TRACKED = 10_000;

interface Window {
  start: number;
  failures: number;
}

export class FailureLimiter {
  private readonly windows = new Map<string, Window>();

  /** Seconds until `ip` may try again, or 0 when it is not blocked. */
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
    if (this.windows.size > MAX_TRACKED) {
      const oldest = this.windows.keys().next().value;
      if (oldest !== undefined) this.windows.delete(oldest);
    }
  }

  clear(): void {
    this.windows.clear();
  }
}

export const failureLimiter = new FailureLimiter();
