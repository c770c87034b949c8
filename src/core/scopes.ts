// Scopes: `resource:action`, `resource:*` (every action of a resource) and `!scope` (an explicit
// deny that overrides any allow). Compiled once per key record, checked with set lookups.

const SCOPE = /^[a-z0-9][a-z0-9_-]{0,63}:(?:[a-z0-9][a-z0-9_.-]{0,63}|\*)$/;

/** True when `text` is a grantable scope (optionally a `!` deny). */
export function isValidScope(text: string): boolean {
  return SCOPE.test(text.startsWith('!') ? text.slice(1) : text);
}

/** True when `text` is a scope a route may require (no wildcard, no deny). */
export function isValidRequiredScope(text: string): boolean {
  return SCOPE.test(text) && !text.endsWith(':*');
}

export interface ScopeSet {
  allow: Set<string>;
  allowAll: Set<string>;
  deny: Set<string>;
  denyAll: Set<string>;
}

export function compileScopes(scopes: readonly string[]): ScopeSet {
  const set: ScopeSet = { allow: new Set(), allowAll: new Set(), deny: new Set(), denyAll: new Set() };
  for (const raw of scopes) {
    const deny = raw.startsWith('!');
    const scope = deny ? raw.slice(1) : raw;
    if (scope.endsWith(':*')) (deny ? set.denyAll : set.allowAll).add(scope.slice(0, -2));
    else (deny ? set.deny : set.allow).add(scope);
  }
  return set;
}

/** Whether `granted` allows `required` (`resource:action`). A deny always wins. */
export function allows(granted: ScopeSet, required: string): boolean {
  const resource = required.slice(0, required.indexOf(':'));
  if (granted.deny.has(required) || granted.denyAll.has(resource)) return false;
  return granted.allow.has(required) || granted.allowAll.has(resource);
}

/** The first of `required` that `granted` does not allow, or undefined when all are allowed. */
export function firstMissingScope(granted: ScopeSet, required: readonly string[]): string | undefined {
  for (const scope of required) if (!allows(granted, scope)) return scope;
  return undefined;
}
