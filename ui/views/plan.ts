// One plan: its limits and scopes, who holds it (keys and customers), an edit form (every holder
// follows within the revocation bound), and deletion (refused while anyone holds it).

import { api } from '../api';
import { button, crumbs, details, el, replace, wideTable } from '../dom';
import { limits, time } from '../format';
import { showInfo, showProblem } from '../notice';
import { go, rerender } from '../router';
import type { Customer, Key, Plan } from '../types';
import { form, value } from './form';
import { limitBody, trackChanges } from './limit-fields';
import { keysTable } from './project';
import { listAll } from './projects';
import { planFields, scopesOf } from './plans';

function editForm(plan: Plan): HTMLFormElement {
  const f = form(
    { class: 'grid', 'aria-label': 'Edit plan' },
    (f) => {
      const body = { name: value(f, 'name'), scopes: scopesOf(f), ...limitBody(f, true) };
      api<Plan>('PATCH', `/plans/${plan.id}`, body).then(() => {
        showInfo(`Plan "${body.name}" saved: its holders follow within seconds.`);
        rerender();
      }, showProblem);
    },
    ...planFields(plan),
    el('button', { type: 'submit' }, 'Save plan'),
  );
  trackChanges(f);
  return f;
}

function remove(plan: Plan, holders: number): void {
  if (holders > 0) {
    showProblem(new Error(`Plan "${plan.name}" has ${holders} holders: move them to another plan first.`));
    return;
  }
  if (!confirm(`Delete plan "${plan.name}"? No key or customer holds it.`)) return;
  api('DELETE', `/plans/${plan.id}`).then(() => {
    showInfo(`Plan "${plan.name}" deleted.`);
    go(`#/projects/${plan.projectId}/plans`);
  }, showProblem);
}

export async function planView(main: HTMLElement, planId: string): Promise<void> {
  const plan = await api<Plan>('GET', `/plans/${planId}`);
  const [keys, customers] = await Promise.all([
    listAll<Key>(`/projects/${plan.projectId}/keys`),
    listAll<Customer>(`/projects/${plan.projectId}/customers`),
  ]);
  const holdingKeys = keys.filter((k) => k.planId === plan.id && k.status !== 'revoked');
  const holdingCustomers = customers.filter((c) => c.planId === plan.id);
  replace(
    main,
    crumbs([['plans', `#/projects/${plan.projectId}/plans`]], plan.id),
    el('h1', {}, plan.name),
    details([
      ['Id', el('code', {}, plan.id)],
      ['Scopes', plan.scopes.join(' ') || '(none)'],
      ['Limits', limits(plan)],
      ['Updated', time(plan.updatedAt)],
    ]),
    el(
      'p',
      { class: 'actions' },
      button('Delete plan', () => remove(plan, holdingKeys.length + holdingCustomers.length), {
        class: 'danger',
        'data-action': 'delete-plan',
      }),
    ),
    el('h2', {}, 'Customers on this plan'),
    holdingCustomers.length
      ? wideTable(
          ['Name', 'External id', 'Limits that apply'],
          holdingCustomers,
          (c) => [
            el('a', { href: `#/customers/${c.id}` }, c.name),
            el('code', {}, c.externalId),
            el('span', { class: 'cell-text' }, limits(c.effective)),
          ],
          { 'data-testid': 'plan-customers' },
        )
      : el('p', { class: 'empty' }, 'No customer holds this plan.'),
    el('h2', {}, 'Keys on this plan'),
    holdingKeys.length ? keysTable(holdingKeys, customers) : el('p', { class: 'empty' }, 'No key holds this plan.'),
    el('h2', {}, 'Edit'),
    editForm(plan),
  );
}
