import { describe, expect, it } from 'vitest';
import { matchRoute, parseRoutes } from '../../src/core/route-rules';
import { ConfigError } from '../../src/errors/config-error';
import { allows, compileScopes, firstMissingScope, isValidScope } from '../../src/core/scopes';

describe('scopes', () => {
  it('grants exact scopes and resource wildcards only', () => {
    const s = compileScopes(['orders:read', 'forms:*']);
    expect(allows(s, 'orders:read')).toBe(true);
    expect(allows(s, 'orders:write')).toBe(false);
    expect(allows(s, 'forms:delete')).toBe(true);
    expect(allows(s, 'formsx:read')).toBe(false);
    expect(allows(s, 'form:read')).toBe(false);
  });

  it('lets an explicit deny override any allow', () => {
    const s = compileScopes(['orders:*', '!orders:delete']);
    expect(allows(s, 'orders:read')).toBe(true);
    expect(allows(s, 'orders:delete')).toBe(false);
    expect(allows(compileScopes(['orders:read', '!orders:*']), 'orders:read')).toBe(false);
  });

  it('names the first missing scope', () => {
    expect(firstMissingScope(compileScopes(['a:read']), ['a:read', 'b:write', 'c:x'])).toBe('b:write');
    expect(firstMissingScope(compileScopes(['a:read']), [])).toBeUndefined();
  });

  it('validates scope syntax', () => {
    for (const ok of ['forms:read', 'forms:*', '!forms:delete', 'a-b_c:d.e']) expect(isValidScope(ok)).toBe(true);
    for (const bad of ['forms', ':read', 'forms:', 'Forms:read', 'forms:read:x', '*', 'forms:re ad', '!!forms:read'])
      expect(isValidScope(bad)).toBe(false);
  });
});

describe('route rules', () => {
  const rules = parseRoutes([
    { method: ['GET', 'HEAD'], path: '/forms/:id', scopes: ['forms:read'] },
    { method: 'POST', path: '/forms', scopes: ['forms:write'] },
    { method: '*', path: '/files/*', scopes: ['files:read'] },
    { method: 'GET', path: '/forms/:id', scopes: ['never:reached'] },
  ])!;

  it('matches the first rule by method and pattern', () => {
    expect(matchRoute(rules, 'GET', '/forms/42')?.index).toBe(0);
    expect(matchRoute(rules, 'HEAD', '/forms/42')?.index).toBe(0);
    expect(matchRoute(rules, 'POST', '/forms')?.index).toBe(1);
    expect(matchRoute(rules, 'POST', '/forms/42')).toBeUndefined();
    expect(matchRoute(rules, 'GET', '/forms/42/extra')).toBeUndefined();
    expect(matchRoute(rules, 'DELETE', '/files')?.index).toBe(2);
    expect(matchRoute(rules, 'PUT', '/files/a/b/c')?.index).toBe(2);
    expect(matchRoute(rules, 'GET', '/filesx')).toBeUndefined();
    expect(matchRoute(rules, 'GET', '/FORMS/42')).toBeUndefined();
  });

  it('accepts ROUTES as a JSON string, and unset as "no rules"', () => {
    expect(parseRoutes('[{"method":"GET","path":"/a","scopes":[]}]')).toHaveLength(1);
    expect(parseRoutes(undefined)).toBeNull();
    expect(parseRoutes('')).toBeNull();
  });

  it('rejects invalid rules with a message naming the rule', () => {
    const bad: [unknown, RegExp][] = [
      ['not json', /not valid JSON/],
      [{}, /JSON array/],
      [[{ method: 'GET', path: 'forms', scopes: [] }], /ROUTES\[0\]\.path must start/],
      [[{ method: 'FETCH', path: '/a', scopes: [] }], /unknown method/],
      [[{ method: 'GET', path: '/a/*/b', scopes: [] }], /may only end/],
      [[{ method: 'GET', path: '/a', scopes: ['a:*'] }], /scopes/],
      [[{ method: 'GET', path: '/a' }], /scopes/],
      [[{ method: 'GET', path: '/a', scopes: [] }, 7], /ROUTES\[1\] must be an object/],
    ];
    for (const [raw, message] of bad)
      (expect(() => parseRoutes(raw)).toThrow(ConfigError), expect(() => parseRoutes(raw)).toThrow(message));
  });
});
