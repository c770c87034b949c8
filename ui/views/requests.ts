// A request log (a key's or a customer's), newest first, paged: time, method, path, route, status,
// outcome, latency, client, user agent and request id, narrowed by status, outcome, route and time,
// or found by request id (the API filters, so older pages stay within the filter). Live mode adds
// the newest entries on top without redrawing the rows already shown.

import { api } from '../api';
import { button, el, replace } from '../dom';
import { time } from '../format';
import { liveToggle } from '../live';
import { showProblem } from '../notice';
import type { Page, RequestLogEntry } from '../types';
import { field, form, input, value } from './form';

const COLUMNS = ['Time', 'Method', 'Path', 'Route', 'Status', 'Outcome', 'Latency', 'Client', 'User agent', 'Request id'];
const SINCE = [
  ['', 'any time'],
  ['900000', 'last 15 minutes'],
  ['3600000', 'last hour'],
  ['86400000', 'last 24 hours'],
] as const;

function row(r: RequestLogEntry): HTMLTableRowElement {
  const cells = [
    el('time', { datetime: r.at }, time(r.at)),
    r.method,
    el('span', { class: 'cell-text' }, r.path),
    r.route ?? '',
    r.status,
    el('span', { class: `outcome ${r.outcome === 'allowed' ? 'ok' : 'refused'}` }, r.outcome),
    `${r.latencyMs} ms`,
    `${r.clientIp}${r.country ? ` (${r.country})` : ''}`,
    el('span', { class: 'cell-text' }, r.userAgent ?? ''),
    el('code', {}, r.requestId),
  ];
  return el('tr', { 'data-request-id': r.requestId }, ...cells.map((c) => el('td', {}, c)));
}

/** The query string of the filter form (empty fields left out). */
function filterQuery(f: HTMLFormElement): string {
  const params = new URLSearchParams();
  for (const name of ['status', 'outcome', 'route', 'requestId']) {
    const v = value(f, name);
    if (v) params.set(name, v);
  }
  const since = value(f, 'since');
  if (since) params.set('from', new Date(Date.now() - Number(since)).toISOString());
  return params.toString();
}

export function requestsPanel(base: string): HTMLElement {
  const tbody = el('tbody');
  const body = el(
    'div',
    { class: 'scroll' },
    el('table', { 'data-testid': 'requests' }, el('thead', {}, el('tr', {}, ...COLUMNS.map((h) => el('th', { scope: 'col' }, h)))), tbody),
  );
  const empty = el('p', { class: 'empty' }, 'No requests recorded in the last 7 days.');
  const more = el('div');
  const since = el('select', { name: 'since' }, ...SINCE.map(([v, label]) => el('option', { value: v }, label)));
  let query = '';

  async function page(cursor: string | null): Promise<Page<RequestLogEntry>> {
    const q = [`limit=50`, query, cursor ? `cursor=${encodeURIComponent(cursor)}` : ''].filter(Boolean).join('&');
    return api<Page<RequestLogEntry>>('GET', `${base}?${q}`);
  }
  function showMore(next: string | null): void {
    replace(more, next ? button('Older requests', () => void load(next)) : null);
  }
  async function load(cursor: string | null): Promise<void> {
    try {
      const result = await page(cursor);
      if (cursor === null) replace(tbody);
      for (const r of result.items) tbody.appendChild(row(r));
      empty.hidden = tbody.childElementCount > 0;
      body.hidden = !empty.hidden;
      showMore(result.nextCursor);
    } catch (error) {
      showProblem(error);
    }
  }
  /** Live: the entries newer than the top row, put above it. */
  async function newer(): Promise<void> {
    try {
      const result = await page(null);
      const top = tbody.firstElementChild?.getAttribute('data-request-id');
      const fresh = [];
      for (const r of result.items) {
        if (r.requestId === top) break;
        fresh.push(row(r));
      }
      if (top === undefined || top === null) showMore(result.nextCursor);
      tbody.prepend(...fresh);
      empty.hidden = tbody.childElementCount > 0;
      body.hidden = !empty.hidden;
    } catch (error) {
      showProblem(error);
    }
  }
  const filters = form(
    { class: 'inline filters', 'aria-label': 'Filter requests' },
    (f) => {
      query = filterQuery(f);
      void load(null);
    },
    field('Status', input('status', { placeholder: '404 or 4xx', size: '8' })),
    field('Outcome', input('outcome', { placeholder: 'e.g. rate-limited', size: '16' })),
    field('Route', input('route', { placeholder: 'GET,HEAD /forms/:id', size: '18' })),
    field('Time', since),
    field('Request id', input('requestId', { placeholder: 'X-Request-Id', size: '20' })),
    el('button', { type: 'submit' }, 'Filter'),
    el('button', { type: 'reset' }, 'Clear'),
  );
  filters.addEventListener('reset', () => {
    query = '';
    void load(null);
  });
  void load(null);
  return el(
    'section',
    { 'data-testid': 'request-log' },
    el('h2', {}, 'Recent requests'),
    el('div', { class: 'toolbar' }, liveToggle(newer, 'requests-live')),
    filters,
    empty,
    body,
    more,
  );
}
