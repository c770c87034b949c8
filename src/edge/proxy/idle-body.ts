// The origin's response body, with a deadline: an origin that sent its headers and then stalls would
// otherwise hold the client (and this request) for ever, as ORIGIN_TIMEOUT_MS ends with the headers.
// ORIGIN_BODY_IDLE_TIMEOUT_MS bounds every wait for the origin's next chunk — only the origin's
// silence counts, while the client is asking for more, never the time a slow client takes to read.
//
// Any deadline means touching the body from JavaScript: a timer that aborts the origin fetch while
// the platform's stream is relayed untouched stops working once the response is handed to the
// runtime (the e2e test over a real socket shows it). Two ways, by cost. The common answer — a known
// length up to WHOLE_BODY_MAX, not content-encoded — usually arrives as one chunk: keygate reads
// that first chunk (within the deadline) before it answers and, when it is the whole body, relays it
// as it came (nothing is gathered: a body that needs more chunks takes the other way); ~55–60 µs of
// CPU a call in `node bench/ab.mjs` (C-hit). Every other body (no length: chunked, event streams;
// larger; encoded; or split) passes through a stream that times each pull, ~100 µs a call against
// a bare proxy. ORIGIN_BODY_IDLE_TIMEOUT_MS=0 relays the platform's stream untouched (forward.ts).
// Every wait is timed by the call's one timer (call-deadline.ts), the one that timed its headers.

import type { CallDeadline } from './call-deadline';

/** Known-length bodies up to this size may be relayed as their one first chunk. */
export const WHOLE_BODY_MAX = 64 * 1024;

const IDLE = 'the origin sent nothing for ORIGIN_BODY_IDLE_TIMEOUT_MS';

/** What relayBody answers when not one byte of the body came in time: keygate then answers 504. */
export const BODY_TIMED_OUT = Symbol('body timed out');
/** …and when the origin's body broke before its first byte: 502. */
export const BODY_FAILED = Symbol('body failed');

type Reader = ReadableStreamDefaultReader<Uint8Array>;

/**
 * The next chunk, or null when the origin sent nothing for `ms` (the origin's body is then
 * cancelled). The call's one timer (call-deadline.ts) is moved, not re-armed, and paused once the
 * chunk is in: the time the client takes before asking for more is not the origin's.
 */
async function readWithin(reader: Reader, deadline: CallDeadline, ms: number): Promise<ReadableStreamReadResult<Uint8Array> | null> {
  let timedOut = false;
  deadline.renew(ms, () => {
    timedOut = true;
    reader.cancel(new Error(IDLE)).catch(() => undefined);
  });
  try {
    const chunk = await reader.read();
    return timedOut ? null : chunk;
  } catch (error) {
    if (timedOut) return null; // the cancel rejected the pending read
    throw error;
  } finally {
    deadline.pause();
  }
}

/**
 * The body to relay for `response`, each wait for the origin bounded by `idleMs` on the call's
 * `deadline` (which this takes over: it is cleared when the body ends, however it ends);
 * BODY_TIMED_OUT or BODY_FAILED when a small known-length body did not start in time, or broke
 * first. `onIdle` is told when a deadline ends the body.
 */
export async function relayBody(
  response: Response,
  body: ReadableStream<Uint8Array>,
  deadline: CallDeadline,
  idleMs: number,
  onIdle: () => void,
): Promise<ReadableStream<Uint8Array> | Uint8Array | typeof BODY_TIMED_OUT | typeof BODY_FAILED> {
  const reader = body.getReader();
  const length = Number(response.headers.get('content-length') ?? Number.NaN);
  if (!(length > 0 && length <= WHOLE_BODY_MAX) || response.headers.has('content-encoding')) {
    return idleTimeoutBody(reader, deadline, idleMs, onIdle);
  }
  let first: ReadableStreamReadResult<Uint8Array> | null;
  try {
    first = await readWithin(reader, deadline, idleMs);
  } catch {
    deadline.clear();
    return BODY_FAILED;
  }
  if (first === null) {
    deadline.clear();
    onIdle();
    return BODY_TIMED_OUT;
  }
  if (!first.done && first.value.byteLength === length) {
    deadline.clear();
    return first.value;
  }
  return idleTimeoutBody(reader, deadline, idleMs, onIdle, first.done ? undefined : first.value);
}

/**
 * The rest of the origin's body (after `first`, if given) as a stream that errors — the origin's
 * body cancelled, its connection closed — when the origin sends nothing for `idleMs` while a chunk
 * is asked for. The deadline is cleared when the stream ends, errs or is cancelled.
 */
export function idleTimeoutBody(
  reader: Reader,
  deadline: CallDeadline,
  idleMs: number,
  onIdle: () => void,
  first?: Uint8Array,
): ReadableStream<Uint8Array> {
  let pending = first;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (pending !== undefined) {
          controller.enqueue(pending);
          pending = undefined;
          return;
        }
        let chunk: ReadableStreamReadResult<Uint8Array> | null;
        try {
          chunk = await readWithin(reader, deadline, idleMs);
        } catch (error) {
          deadline.clear();
          throw error;
        }
        if (chunk === null) {
          deadline.clear();
          onIdle();
          controller.error(new Error(IDLE));
        } else if (chunk.done) {
          deadline.clear();
          controller.close();
        } else controller.enqueue(chunk.value);
      },
      cancel(reason) {
        deadline.clear();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
