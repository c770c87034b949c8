// One key: its record, its actions, its usage and traffic, and its request log.

import { api } from '../api';
import { crumbs, details, el, replace } from '../dom';
import { limits, time } from '../format';
import type { Key } from '../types';
import { keyActions } from './key-actions';
import { statusBadge } from './project';
import { requestsPanel } from './requests';
import { usagePanel } from './usage';

function keyDetails(key: Key): HTMLElement {
  const rows: [string, string | Node][] = [
    ['Id', el('code', {}, key.id)],
    ['Start', el('code', {}, key.start)],
    ['Status', statusBadge(key)],
    ['Environment', key.environment],
    ['Scopes', key.scopes.join(' ') || '(none)'],
    ['Customer', key.customerId ? el('a', { href: `#/customers/${key.customerId}` }, key.customerId) : 'none'],
    ['Plan', key.planId ? el('a', { href: `#/plans/${key.planId}` }, key.planId) : 'none'],
    ['Limits that apply', limits(key.effective)],
    ['Created', time(key.createdAt)],
    ['Expires', time(key.expiresAt, 'never')],
    ['Last used', time(key.lastUsedAt)],
  ];
  if (key.rotatedTo) rows.push(['Rotated to', el('a', { href: `#/keys/${key.rotatedTo}` }, key.rotatedTo)]);
  return details(rows);
}

export async function keyView(main: HTMLElement, keyId: string): Promise<void> {
  const key = await api<Key>('GET', `/keys/${keyId}`);
  replace(
    main,
    crumbs([[key.projectId, `#/projects/${key.projectId}`]], key.id),
    el('h1', {}, key.name),
    keyDetails(key),
    el('p', { class: 'actions' }, ...keyActions(key)),
    usagePanel({ usage: `/keys/${key.id}/usage`, traffic: `/keys/${key.id}/traffic`, topKeys: false }),
    requestsPanel(`/keys/${key.id}/requests`),
  );
}
