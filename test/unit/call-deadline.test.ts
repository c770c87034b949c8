// The proxied call's one timer (src/edge/proxy/call-deadline.ts), with real timers in workerd: a
// deadline expires once, moves later without a new timer, moves earlier by re-arming, and neither
// a paused nor a cleared deadline expires. proxy.test.ts shows it on real origin calls.

import { describe, expect, it } from 'vitest';
import { CallDeadline } from '../../src/edge/proxy/call-deadline';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('CallDeadline', () => {
  it('expires once, after its time', async () => {
    let expired = 0;
    new CallDeadline(30, () => expired++);
    await sleep(10);
    expect(expired).toBe(0);
    await sleep(60);
    expect(expired).toBe(1);
  });

  it('moved later, expires at the new time and runs the new expiry only', async () => {
    const seen: string[] = [];
    const deadline = new CallDeadline(30, () => seen.push('headers'));
    await sleep(10);
    deadline.renew(80, () => seen.push('body'));
    await sleep(50); // past the first timer, before the new deadline
    expect(seen).toEqual([]);
    await sleep(80);
    expect(seen).toEqual(['body']);
  });

  it('moved earlier, expires at the earlier time', async () => {
    let expired = 0;
    const deadline = new CallDeadline(5_000, () => expired++);
    deadline.renew(20, () => expired++);
    await sleep(80);
    expect(expired).toBe(1);
    deadline.clear();
  });

  it('paused or cleared, never expires; renewed after a pause, expires again', async () => {
    let expired = 0;
    const paused = new CallDeadline(20, () => expired++);
    paused.pause();
    new CallDeadline(20, () => expired++).clear();
    await sleep(60);
    expect(expired).toBe(0);
    paused.renew(20, () => expired++);
    await sleep(60);
    expect(expired).toBe(1);
  });
});
