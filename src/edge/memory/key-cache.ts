// A bounded in-isolate cache with TTL, jitter and single-flight loading: one KV read per key per
// TTL per isolate, however many requests arrive at once. Map order gives cheap oldest-first eviction.
// A shared load is a promise of another request: callers must wait on it with a timer of their own
// (see verify.ts), and a load older than `shareForMs` is not shared any more (it may never settle).

interface Entry<V> {
  value: V;
  /** Epoch ms after which the entry is not served. */
  until: number;
}

export interface CacheOptions<V> {
  maxEntries: number;
  /** How long `value` may be served from `now` given the configured `ttl`, before jitter; ≤ 0: not cached. */
  ttlFor: (value: V, now: number, ttl: number) => number;
  /** Fraction of the TTL taken off at random, so entries loaded together do not expire together. */
  jitter: number;
}

export class TtlCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly inFlight = new Map<string, { promise: Promise<V>; started: number }>();

  constructor(private readonly options: CacheOptions<V>) {}

  /** The cached value for `key` if still fresh at `now`. */
  peek(key: string, now: number): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.until <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /**
   * The value for `key`: from the cache, from a load already under way, or from `load()`.
   * A failed load is not cached; every waiter sees the failure.
   */
  get(key: string, now: number, ttl: number, load: () => Promise<V>, shareForMs = Infinity): V | Promise<V> {
    const cached = this.peek(key, now);
    if (cached !== undefined) return cached;
    const pending = this.inFlight.get(key);
    if (pending !== undefined && now - pending.started < shareForMs) return pending.promise;
    const entry = { promise: undefined as unknown as Promise<V>, started: now };
    const settle = () => {
      if (this.inFlight.get(key) === entry) this.inFlight.delete(key);
    };
    entry.promise = load().then(
      (value) => {
        settle();
        this.set(key, value, Date.now(), ttl);
        return value;
      },
      (error: unknown) => {
        settle();
        throw error;
      },
    );
    this.inFlight.set(key, entry);
    return entry.promise;
  }

  set(key: string, value: V, now: number, ttl: number): void {
    const lifetime = this.options.ttlFor(value, now, ttl);
    if (lifetime <= 0) return;
    const until = now + lifetime * (1 - Math.random() * this.options.jitter);
    this.entries.delete(key);
    this.entries.set(key, { value, until });
    if (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
