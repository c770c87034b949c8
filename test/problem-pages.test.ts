// RFC 9457 `type`: every problem body names a URI keygate serves itself, with a page that explains
// the problem and its fix; the pages come from the closed registry, so none is missing.

import { describe, expect, it } from 'vitest';
import { BASE, expectNoOriginCall, expectProblem, gateway, newTag } from './helpers/gateway';
import { PROBLEMS } from '../src/errors/problems';
import { PROBLEM_DOCS } from '../src/errors/problem-docs';

const NAMES = Object.keys(PROBLEMS) as (keyof typeof PROBLEMS)[];

describe('problem type pages', () => {
  it.each(NAMES)('%s: its type URI resolves to a page keygate serves, with what it means and how to fix it', async (name) => {
    const res = await gateway(`/_keygate/problems/${name}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'none';.*frame-ancestors 'none'/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    const escaped = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
    expect(html).toContain(`<h1>${escaped(PROBLEMS[name].title)}</h1>`);
    expect(html).toContain(`HTTP ${PROBLEMS[name].status}`);
    expect(html).toContain(escaped(PROBLEM_DOCS[name].means));
    expect(html).toContain(escaped(PROBLEM_DOCS[name].fix));
    // Nothing loaded, nothing linked outside keygate.
    expect(html).not.toMatch(/<script|<style|<link|<img|style=|src=|href="(?!\/_keygate\/problems)/);
  });

  it('the index links every page, and an unknown name is 404 not-found', async () => {
    const res = await gateway('/_keygate/problems');
    expect(res.status).toBe(200);
    const html = await res.text();
    const links = [...html.matchAll(/href="(\/_keygate\/problems\/[^"]+)"/g)].map((m) => m[1]);
    expect(links).toEqual(NAMES.map((name) => `/_keygate/problems/${name}`));
    for (const unknown of ['/_keygate/problems/nope', '/_keygate/problems/not-found/x', '/_keygate/problems/Invalid-api-key'])
      await expectProblem(await gateway(unknown), 'not-found', 404);
  });

  it('a data-plane refusal names its page: resolved against the request URL, it is served by keygate, never by the origin', async () => {
    const tag = newTag();
    const url = `${BASE}/forms/1`;
    const res = await gateway(url, { headers: { 'x-test-tag': tag } });
    const body = await expectProblem(res, 'missing-api-key', 401);
    expect(body.type).toBe('/_keygate/problems/missing-api-key');
    const resolved = new URL(body.type, url).href;
    expect(resolved).toBe(`${BASE}/_keygate/problems/missing-api-key`);
    const doc = await gateway(resolved, { headers: { 'x-test-tag': tag } });
    expect(doc.status).toBe(200);
    expect(await doc.text()).toContain('An API key is required');
    await expectNoOriginCall(tag);
  });

  it('admin API problems name their pages too', async () => {
    const body = await expectProblem(await gateway('/_keygate/v1/projects'), 'unauthorized', 401);
    expect((await gateway(body.type)).status).toBe(200);
  });
});
