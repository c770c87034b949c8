// One timer per proxied call for all of its deadlines: the origin's headers within
// ORIGIN_TIMEOUT_MS, then each wait for the next chunk of its body within
// ORIGIN_BODY_IDLE_TIMEOUT_MS. A deadline moved later needs no new timer — the timer, when it fires
// before the deadline, sleeps again for the rest — so the common call (headers, then the whole body
// in its first chunk) arms one timer and clears it once, as any proxy with a deadline must; a timer
// per wait cost a second setTimeout/clearTimeout pair on every call.
//
// Per call, not per isolate: a timer, a fetch's AbortController and a body's reader all belong to
// the request that made them (workerd refuses I/O on behalf of another request, and a request's
// timers end with it), so one isolate-wide sweep could not abort another request's fetch.

type Timer = ReturnType<typeof setTimeout>;

export class CallDeadline {
  private timer: Timer | undefined;
  /** When the armed timer fires (epoch ms). */
  private firesAt = 0;
  /** The deadline (epoch ms); Infinity while paused. */
  private due: number;
  private onExpire: () => void;
  private readonly fire = (): void => {
    this.timer = undefined;
    if (this.due === Infinity) return; // paused: renew() arms a new timer
    const left = this.due - Date.now();
    if (left > 0) this.arm(left);
    else this.onExpire();
  };

  /** `onExpire` runs when `ms` pass without a renew(), pause() or clear(). */
  constructor(ms: number, onExpire: () => void) {
    this.due = Date.now() + ms;
    this.onExpire = onExpire;
    this.arm(ms);
  }

  private arm(ms: number): void {
    this.firesAt = Date.now() + ms;
    this.timer = setTimeout(this.fire, ms);
  }

  /** A new deadline `ms` from now, with what its expiry does; a timer is armed only when none fires by then. */
  renew(ms: number, onExpire: () => void): void {
    const due = Date.now() + ms;
    this.onExpire = onExpire;
    this.due = due;
    if (this.timer !== undefined) {
      if (this.firesAt <= due) return;
      clearTimeout(this.timer);
    }
    this.arm(ms);
  }

  /** No deadline until the next renew() (while nobody waits: a slow reader is not the origin's silence). */
  pause(): void {
    this.due = Infinity;
  }

  clear(): void {
    this.due = Infinity;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
