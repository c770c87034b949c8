import { describe, expect, it } from 'vitest';
import { createKey } from '../helpers/admin';
import { gateway, newTag, originCalls, withKey } from '../helpers/gateway';

describe('smoke', () => {
  it('proxies a call with a fresh key', async () => {
    const key = await createKey();
    const tag = newTag();
    const res = await gateway('/forms/1?x=1', withKey(key.key, tag));
    const text = await res.text();
    expect(res.status, text).toBe(200);
    const calls = await originCalls(tag);
    expect(calls).toHaveLength(1);
  });
});
