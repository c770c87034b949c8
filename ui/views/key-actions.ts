// What can be done to a key (each asked for confirmation first), and the one-time panel that shows
// a new key's plaintext with a copy button.

import { api } from '../api';
import { button, el, type Child } from '../dom';
import { showInfo, showProblem } from '../notice';
import { go, reveal, rerender } from '../router';
import type { Key, KeyCreated } from '../types';

async function act(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    showProblem(error);
  }
}

function setEnabled(key: Key, enabled: boolean): Promise<void> {
  return act(async () => {
    if (!enabled && !confirm(`Disable key "${key.name}"? Calls with it are refused until it is enabled again.`)) return;
    await api<Key>('PATCH', `/keys/${key.id}`, { enabled });
    showInfo(`Key "${key.name}" ${enabled ? 'enabled' : 'disabled'}.`);
    rerender();
  });
}

function revoke(key: Key): Promise<void> {
  return act(async () => {
    if (!confirm(`Revoke key "${key.name}"? This is permanent: the key never works again.`)) return;
    await api<Key>('POST', `/keys/${key.id}/revoke`);
    showInfo(`Key "${key.name}" revoked.`);
    rerender();
  });
}

function rotate(key: Key): Promise<void> {
  return act(async () => {
    const answer = prompt(`Rotate key "${key.name}": a new key replaces it. Seconds the old key keeps working (0 = stop it now):`, '0');
    if (answer === null) return;
    const gracePeriodSeconds = Number(answer.trim());
    const created = await api<KeyCreated>('POST', `/keys/${key.id}/rotate`, {
      gracePeriodSeconds: Number.isInteger(gracePeriodSeconds) ? gracePeriodSeconds : answer,
    });
    reveal(created);
    go(`#/projects/${created.projectId}`);
  });
}

/** The buttons for a key in its current state (a revoked key has none). */
export function keyActions(key: Key): Child[] {
  if (key.status === 'revoked') return [];
  return [
    key.status === 'disabled'
      ? button('Enable', () => void setEnabled(key, true), { 'data-action': 'enable' })
      : button('Disable', () => void setEnabled(key, false), { 'data-action': 'disable' }),
    button('Rotate', () => void rotate(key), { 'data-action': 'rotate' }),
    button('Revoke', () => void revoke(key), { class: 'danger', 'data-action': 'revoke' }),
  ];
}

/** The new key's plaintext, shown this once, with a copy button. */
export function revealPanel(created: KeyCreated): HTMLElement {
  const status = el('span', { class: 'copied', 'aria-live': 'polite' });
  const copy = button('Copy', () => {
    navigator.clipboard.writeText(created.key).then(
      () => (status.textContent = 'Copied.'),
      () => (status.textContent = 'Copying failed: select the key and copy it by hand.'),
    );
  });
  const panel = el(
    'section',
    { class: 'reveal', 'data-testid': 'new-key' },
    el('h2', {}, 'New key: ', el('span', {}, created.name)),
    el('p', { class: 'warning' }, 'Copy this key now. It is shown once: keygate stores only its hash and cannot show it again.'),
    el('p', {}, el('code', { 'data-testid': 'new-key-value' }, created.key), ' ', copy, ' ', status),
  );
  panel.appendChild(button('I have stored it', () => panel.remove()));
  return panel;
}
