// Step 4 through the real entry point: every path spelling of the table that reaches the Worker as
// sent (the URL parser resolves raw dot segments and backslashes first; e2e sends those raw) is
// refused with 400 non-canonical-path before any other decision, and the origin is never called.
// The origin is the recording fake in Node (test/helpers/fake-origin.ts), the only fake here.

import { describe, expect, it } from 'vitest';
import { createKey } from './helpers/admin';
import { BASE, expectNoOriginCall, expectProblem, gateway, newTag, originCalls, withKey } from './helpers/gateway';
import { ALLOWED, REFUSED } from './helpers/path-tricks';
import { nonCanonicalReason } from '../src/core/canonical-path';
import { rawPath } from '../src/core/url';

const anyPath = { ROUTES: undefined };
/** The table's paths as the Worker receives them, when that is still the refused spelling. */
const reaching = REFUSED.map(([path]) => path).filter((path) => nonCanonicalReason(rawPath(new Request(BASE + path).url)) !== null);

describe('non-canonical paths at the gateway', () => {
  it('the issue-13 forms and most of the table reach the Worker unchanged', () => {
    for (const path of ['/forms/..;/reports/x', '/a/%c0%ae%c0%ae/b', '/a/%u002e%u002e/b', '/a/%ef%bc%8e%ef%bc%8e/b', '/a%252fb'])
      expect(reaching).toContain(path);
    expect(reaching.length).toBeGreaterThan(REFUSED.length - 12);
  });

  it('each is refused with a valid key, and the origin is never called', async () => {
    const { key } = await createKey({ scopes: ['forms:*'] });
    const tag = newTag();
    for (const path of reaching) {
      const body = await expectProblem(await gateway(path, withKey(key, tag), anyPath), 'non-canonical-path', 400);
      expect(body.detail, path).toBe(nonCanonicalReason(rawPath(new Request(BASE + path).url)));
    }
    await expectNoOriginCall(tag);
  });

  it('before any other decision: without a key, with a method keygate refuses, and off every route rule', async () => {
    const tag = newTag();
    for (const path of ['/forms/..;/reports/x', '/forms/%252e%252e/secret', '/forms/%ef%bc%8e%ef%bc%8e/secret']) {
      await expectProblem(await gateway(path, { headers: { 'x-test-tag': tag } }), 'non-canonical-path', 400);
      await expectProblem(await gateway(path, { method: 'PROPFIND', headers: { 'x-test-tag': tag } }), 'non-canonical-path', 400);
      await expectProblem(
        await gateway(path, withKey('kg_live_nope', tag, { 'x-http-method-override': 'DELETE' })),
        'non-canonical-path',
        400,
      );
    }
    await expectNoOriginCall(tag);
  });

  it('the ordinary spellings are forwarded byte for byte', async () => {
    const { key } = await createKey({ scopes: ['forms:*'] });
    const tag = newTag();
    for (const path of ALLOWED) expect((await gateway(path, withKey(key, tag), anyPath)).status, path).toBe(200);
    expect((await originCalls(tag)).map((call) => call.url)).toEqual(ALLOWED.map((path) => rawPath(new Request(BASE + path).url)));
  });
});
