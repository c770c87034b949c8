// Hash routes (#/projects, #/projects/<id>, #/keys/<id>, #/usage): ids only, never a secret in the URL.
// A key's plaintext, once created, is held here until the next view shows it, then dropped.

import type { KeyCreated } from './types';

let renderer: () => void = () => undefined;
let revealed: KeyCreated | null = null;

export function setRenderer(render: () => void): void {
  renderer = render;
}

/** Shows the current route again (after a change). */
export function rerender(): void {
  renderer();
}

export function go(hash: string): void {
  if (location.hash === hash) rerender();
  else location.hash = hash;
}

/** Keeps a new key's plaintext for the next view only. */
export function reveal(created: KeyCreated): void {
  revealed = created;
}

export function takeRevealed(): KeyCreated | null {
  const created = revealed;
  revealed = null;
  return created;
}
