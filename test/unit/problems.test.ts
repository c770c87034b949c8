import { describe, expect, it } from 'vitest';
import { problemResponse } from '../../src/errors/problems';

describe('problem rendering', () => {
  it('renders valid JSON in a fixed member order, escaping what it is given', async () => {
    const res = problemResponse('insufficient-scope', 'req-1', {
      detail: 'needs "forms:write" \u2028 \ud800',
      extra: { scope: 'forms:write' },
      headers: { 'WWW-Authenticate': 'Bearer error="insufficient_scope"' },
    });
    const text = await res.text();
    const body = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['type', 'title', 'status', 'detail', 'scope', 'requestId']);
    expect(body).toMatchObject({
      type: '/_keygate/problems/insufficient-scope',
      status: 403,
      detail: 'needs "forms:write" \u2028 \ud800',
      requestId: 'req-1',
    });
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('x-request-id')).toBe('req-1');
  });

  it('an extra member never overwrites or duplicates a member the renderer writes', async () => {
    const res = problemResponse('rate-limited', 'req-2', { extra: { type: 'x', status: 200, requestId: 'forged', scope: 's' } });
    const text = await res.text();
    expect(text.match(/"type"/g)).toHaveLength(1);
    expect(JSON.parse(text)).toMatchObject({ type: '/_keygate/problems/rate-limited', status: 429, requestId: 'req-2', scope: 's' });
  });

  it('a 401 gets the default challenge unless the caller gave its own', () => {
    expect(problemResponse('invalid-api-key', 'r').headers.get('www-authenticate')).toBe('Bearer realm="keygate"');
    const own = problemResponse('invalid-api-key', 'r', { headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } });
    expect(own.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });
});
