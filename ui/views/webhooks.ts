// Webhook deliveries (what the outbox holds: pending with their next attempt, delivered, dead),
// filtered by status, and the retry of a dead one under the same webhook-id.

import { api } from '../api';
import { button, el, replace, wideTable } from '../dom';
import { time } from '../format';
import { showInfo, showProblem } from '../notice';
import type { Delivery } from '../types';
import { listAll } from './projects';

function retry(d: Delivery, reload: () => void): void {
  api<Delivery>('POST', `/webhooks/deliveries/${d.id}/retry`).then(() => {
    showInfo(`Delivery ${d.id} (${d.type}) queued again.`);
    reload();
  }, showProblem);
}

function deliveriesTable(items: Delivery[], reload: () => void): HTMLElement {
  return wideTable(
    ['Id', 'Event', 'Status', 'Attempts', 'Created', 'Last attempt', 'Last answer', 'Next attempt', ''],
    items,
    (d) => [
      el('code', {}, d.id),
      el('code', {}, d.type),
      el('span', { class: `badge ${d.status}`, 'data-testid': 'delivery-status' }, d.status),
      d.attempts,
      time(d.createdAt),
      time(d.lastAttemptAt, '—'),
      el('span', { class: 'cell-text' }, d.lastStatus !== null ? `HTTP ${d.lastStatus}` : (d.lastError ?? '—')),
      time(d.nextAttemptAt, '—'),
      d.status === 'dead' ? button('Retry', () => retry(d, reload), { 'data-action': 'retry' }) : '',
    ],
    { 'data-testid': 'deliveries' },
  );
}

export async function webhooksView(main: HTMLElement): Promise<void> {
  const status = el('select', { 'aria-label': 'Status', 'data-testid': 'delivery-filter' });
  for (const s of ['', 'pending', 'delivered', 'dead']) status.appendChild(el('option', { value: s }, s || 'all'));
  const body = el('div');
  async function load(): Promise<void> {
    try {
      const items = await listAll<Delivery>(`/webhooks/deliveries${status.value ? `?status=${status.value}` : ''}`);
      replace(
        body,
        items.length
          ? deliveriesTable(items, () => void load())
          : el('p', { class: 'empty' }, 'No deliveries (webhooks are sent when WEBHOOK_URL is set).'),
      );
    } catch (error) {
      showProblem(error);
    }
  }
  status.addEventListener('change', () => void load());
  replace(
    main,
    el('h1', {}, 'Webhook deliveries'),
    el(
      'div',
      { class: 'toolbar' },
      status,
      button('Refresh', () => void load()),
    ),
    body,
  );
  await load();
}
