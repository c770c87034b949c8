// The audit log, oldest first, with the result of re-verifying its whole hash chain shown on top:
// every admin change (who, what, on which record), never a secret.

import { api } from '../api';
import { button, el, replace } from '../dom';
import { time } from '../format';
import { showProblem } from '../notice';
import type { AuditPage } from '../types';

const LINKS: [RegExp, string][] = [
  [/^key_/, '#/keys/'],
  [/^prj_/, '#/projects/'],
  [/^cus_/, '#/customers/'],
  [/^pln_/, '#/plans/'],
];

function target(id: string): Node | string {
  const link = LINKS.find(([re]) => re.test(id));
  return link ? el('a', { href: `${link[1]}${id}` }, el('code', {}, id)) : el('code', {}, id);
}

/** "field=value" pairs, each unbroken, so that the cell wraps between them and never inside one. */
function changes(record: Record<string, unknown>): Node {
  const pairs = Object.entries(record).flatMap(([field, v]) => [el('span', { class: 'pair' }, `${field}=${JSON.stringify(v)}`), ' ']);
  return el('span', { class: 'cell-text' }, ...pairs);
}

function chainBanner(chain: AuditPage['chain']): HTMLElement {
  return chain.verified
    ? el(
        'p',
        { class: 'chain ok', 'data-testid': 'audit-chain' },
        `Hash chain verified: all ${chain.entries} entries are intact and in order.`,
      )
    : el(
        'p',
        { class: 'chain broken', 'data-testid': 'audit-chain' },
        `Hash chain broken at entry #${chain.brokenAt}: the log was changed after it was written.`,
      );
}

export async function auditView(main: HTMLElement): Promise<void> {
  const tbody = el('tbody');
  const banner = el('div');
  const more = el('div');
  async function load(cursor: string | null): Promise<void> {
    try {
      const page = await api<AuditPage>('GET', `/audit?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      replace(banner, chainBanner(page.chain));
      for (const e of page.items) {
        const cells = [
          String(e.seq),
          el('time', { datetime: e.at }, time(e.at)),
          e.actor,
          el('code', {}, e.action),
          target(e.target),
          changes(e.changes),
        ];
        tbody.appendChild(el('tr', {}, ...cells.map((c) => el('td', {}, c))));
      }
      const next = page.nextCursor;
      replace(more, next ? button('More entries', () => void load(next)) : null);
    } catch (error) {
      showProblem(error);
    }
  }
  const head = el(
    'thead',
    {},
    el('tr', {}, ...['#', 'Time', 'Actor', 'Action', 'Target', 'Changes'].map((h) => el('th', { scope: 'col' }, h))),
  );
  replace(
    main,
    el('h1', {}, 'Audit log'),
    banner,
    el('div', { class: 'scroll' }, el('table', { 'data-testid': 'audit' }, head, tbody)),
    more,
  );
  await load(null);
}
