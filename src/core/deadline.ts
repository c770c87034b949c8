// Every wait on a remote part of the platform has a deadline (design.md, "Consistency"): a Durable
// Object call or a cache read that does not answer in time is a fault the caller handles by its
// stated policy, never a request held for ever. A DO call cannot be cancelled; the deadline only
// stops the wait (the call's result, if it ever comes, is dropped).

export class DeadlineError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not answer within ${ms} ms`);
    this.name = 'DeadlineError';
  }
}

/**
 * `pending`, or DeadlineError after `ms`. The timer belongs to the calling request: workerd cancels
 * a request that waits only on a promise another request's I/O will settle, and the timer is I/O
 * of its own.
 */
export async function withDeadline<T>(pending: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(what, ms)), ms);
  });
  try {
    return await Promise.race([pending, deadline]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
