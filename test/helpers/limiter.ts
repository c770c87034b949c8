// A KeyLimiter namespace for tests that passes every call to miniflare's real Durable Object and lets
// a test hold a call before it goes out or before its answer comes back — to put this isolate's
// limiter calls in an order that a loaded machine produces only by chance. Nothing is decided here.

import type { KeyLimiter } from '../../src/objects/limiter/object';
import type { LeaseReturn, LimitCheck, Verdict } from '../../src/objects/limiter/types';

/** A promise the test opens when it wants. */
export interface Gate {
  opened: Promise<void>;
  open(): void;
}

export function gate(): Gate {
  let open = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** A promise resolved by the first call of `signal()`: "this has happened". */
export function signal(): { happened: Promise<void>; fire(): void } {
  const g = gate();
  return { happened: g.opened, fire: g.open };
}

export interface Steering {
  /** After the limiter decided `input`, before this isolate sees `verdict`. */
  answered?(input: LimitCheck, verdict: Verdict): Promise<void> | void;
  /** Before a hand-back (`release`) is sent. */
  releasing?(returns: LeaseReturn[]): Promise<void> | void;
}

export function steeredLimiter(real: DurableObjectNamespace<KeyLimiter>, steering: Steering): DurableObjectNamespace<KeyLimiter> {
  const wrapper = {
    idFromName: (name: string) => real.idFromName(name),
    get: (id: DurableObjectId) => {
      const stub = real.get(id);
      return {
        check: async (input: LimitCheck) => {
          const verdict = (await stub.check(input)) as Verdict;
          await steering.answered?.(input, verdict);
          return verdict;
        },
        release: async (returns: LeaseReturn[]) => {
          await steering.releasing?.(returns);
          return stub.release(returns);
        },
        quotaRemaining: (...args: Parameters<KeyLimiter['quotaRemaining']>) => stub.quotaRemaining(...args),
      };
    },
  };
  return wrapper as unknown as DurableObjectNamespace<KeyLimiter>;
}
