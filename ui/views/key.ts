// One key: its record, its actions, its usage and its recent requests (newest first, paged).

import { api } from '../api';
import { button, el, replace, table } from '../dom';
import { limits, time } from '../format';
import { showProblem } from '../notice';
import type { Key, Page, RequestLogEntry } from '../types';
import { keyActions } from './key-actions';
import { statusBadge } from './project';
import { usagePanel } from './usage';

function details(key: Key): HTMLElement {
  const rows: [string, string | Node][] = [
    ['Id', el('code', {}, key.id)],
    ['Start', el('code', {}, key.start)],
    ['Status', statusBadge(key)],
    ['Environment', key.environment],
    ['Scopes', key.scopes.join(' ') || '(none)'],
    ['Limits', limits(key)],
    ['Created', time(key.createdAt)],
    ['Expires', time(key.expiresAt, 'never')],
    ['Last used', time(key.lastUsedAt)],
  ];
  if (key.rotatedTo) rows.push(['Rotated to', el('a', { href: `#/keys/${key.rotatedTo}` }, key.rotatedTo)]);
  return el('dl', { class: 'details' }, ...rows.flatMap(([term, desc]) => [el('dt', {}, term), el('dd', {}, desc)]));
}

function requestsPanel(keyId: string): HTMLElement {
  const body = el('div');
  const more = el('div');
  const rows: RequestLogEntry[] = [];
  async function load(cursor: string | null): Promise<void> {
    try {
      const page = await api<Page<RequestLogEntry>>(
        'GET',
        `/keys/${keyId}/requests?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      rows.push(...page.items);
      replace(
        body,
        rows.length
          ? table(
              ['Time', 'Method', 'Path', 'Route', 'Status', 'Outcome', 'Latency', 'Client'],
              rows,
              (r) => [
                time(r.at),
                r.method,
                r.path,
                r.route ?? '',
                r.status,
                r.outcome,
                `${r.latencyMs} ms`,
                `${r.clientIp}${r.country ? ` (${r.country})` : ''}`,
              ],
              { 'data-testid': 'requests' },
            )
          : el('p', { class: 'empty' }, 'No requests recorded in the last 7 days.'),
      );
      const next = page.nextCursor;
      replace(more, next ? button('Older requests', () => void load(next)) : null);
    } catch (error) {
      showProblem(error);
    }
  }
  void load(null);
  return el('section', {}, el('h2', {}, 'Recent requests'), body, more);
}

export async function keyView(main: HTMLElement, keyId: string): Promise<void> {
  const key = await api<Key>('GET', `/keys/${keyId}`);
  replace(
    main,
    el(
      'p',
      { class: 'crumbs' },
      el('a', { href: '#/projects' }, 'Projects'),
      ' / ',
      el('a', { href: `#/projects/${key.projectId}` }, key.projectId),
      ' / ',
      el('code', {}, key.id),
    ),
    el('h1', {}, key.name),
    details(key),
    el('p', { class: 'actions' }, ...keyActions(key)),
    usagePanel(`/keys/${key.id}/usage`, false),
    requestsPanel(key.id),
  );
}
