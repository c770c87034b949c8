// Step 4 as a table: every spelling of a path that some origin reads as another path is refused
// (with the class it belongs to), and the ordinary spellings API clients send are not.

import { describe, expect, it } from 'vitest';
import { nonCanonicalReason } from '../../src/core/canonical-path';
import { matchRoute, parseRoutes } from '../../src/core/route-rules';
import { ALLOWED, REFUSED } from '../helpers/path-tricks';

describe('canonical paths, by class', () => {
  it.each(REFUSED)('refuses %s', (path, reason, reader) => {
    expect(nonCanonicalReason(path), `${path} (${reader})`).toMatch(reason);
  });

  it.each(ALLOWED)('allows %s', (path) => {
    expect(nonCanonicalReason(path)).toBeNull();
  });
});

describe('route rules decide every spelling of a segment alike', () => {
  const rules = parseRoutes([
    { method: 'GET', path: '/v1/a+b', scopes: ['plus:read'] },
    { method: 'GET', path: '/v1/caf%C3%A9', scopes: ['cafe:read'] },
    { method: 'GET', path: '/v1/x%40y', scopes: ['at:read'] },
    { method: 'GET', path: '/v1/*', scopes: ['v1:read'] },
  ])!;
  const scopesOf = (path: string) => matchRoute(rules, 'GET', path)?.scopes;

  it('matches a sub-delimiter raw or escaped, in either case of hex digit', () => {
    for (const path of ['/v1/a+b', '/v1/a%2Bb', '/v1/a%2bb']) expect(scopesOf(path), path).toEqual(['plus:read']);
    for (const path of ['/v1/x@y', '/v1/x%40y']) expect(scopesOf(path), path).toEqual(['at:read']);
  });

  it('matches other escapes in either case, and nothing else', () => {
    for (const path of ['/v1/caf%C3%A9', '/v1/caf%c3%a9', '/v1/caf%C3%a9']) expect(scopesOf(path), path).toEqual(['cafe:read']);
    for (const path of ['/v1/a-b', '/v1/aXb', '/v1/caf%C3%A8', '/v1/cafe']) expect(scopesOf(path), path).toEqual(['v1:read']);
  });
});
