// One customer: what applies to its keys (its own limits where set, else its plan's; quota left and
// credit balance, exact), its keys and a form for a new one, an edit form, a credits change, its
// usage and traffic across its keys, its request log, and deletion with its consequence stated.

import { api } from '../api';
import { button, crumbs, details, el, replace } from '../dom';
import { limits, time } from '../format';
import { showInfo, showProblem } from '../notice';
import { go, reveal, rerender, takeRevealed } from '../router';
import type { Customer, Key, Plan } from '../types';
import { field, form, input, numberOrText, select, value } from './form';
import { revealPanel } from './key-actions';
import { limitBody, limitFields, trackChanges } from './limit-fields';
import { createKeyForm, keysTable } from './project';
import { listAll } from './projects';
import { planSelect } from './plans';
import { requestsPanel } from './requests';
import { usagePanel } from './usage';

function editForm(customer: Customer, plans: Plan[]): HTMLFormElement {
  const name = input('name', { required: true, maxlength: '200' });
  const externalId = input('externalId', { required: true, maxlength: '200' });
  name.value = customer.name;
  externalId.value = customer.externalId;
  const f = form(
    { class: 'grid', 'aria-label': 'Edit customer' },
    (f) => {
      const body = {
        name: value(f, 'name'),
        externalId: value(f, 'externalId'),
        planId: value(f, 'planId') || null,
        ...limitBody(f, true),
      };
      api<Customer>('PATCH', `/customers/${customer.id}`, body).then(() => {
        showInfo(`Customer "${body.name}" saved.`);
        rerender();
      }, showProblem);
    },
    field('Name', name),
    field('External id', externalId),
    field('Plan', planSelect(plans, customer.planId)),
    ...limitFields(customer),
    el('button', { type: 'submit' }, 'Save customer'),
  );
  trackChanges(f);
  return f;
}

function creditsForm(customer: Customer): HTMLFormElement {
  return form(
    { class: 'inline', 'aria-label': 'Change credits' },
    (f) => {
      const amount = numberOrText(value(f, 'amount').replace(/^\+/, ''));
      const body = value(f, 'how') === 'set to' ? { set: amount } : { add: amount };
      api<{ balance: number }>('POST', `/customers/${customer.id}/credits`, body).then((r) => {
        showInfo(`Credit balance of "${customer.name}": ${r.balance}.`);
        rerender();
      }, showProblem);
    },
    field('Credits', select('how', ['add', 'set to'])),
    field('amount', input('amount', { inputmode: 'numeric', required: true, placeholder: '100 or -20' })),
    el('button', { type: 'submit' }, 'Change credits'),
  );
}

function remove(customer: Customer, keys: number): void {
  const consequence = `Delete customer "${customer.name}"? Its ${keys} key${keys === 1 ? '' : 's'} ${keys === 1 ? 'is' : 'are'} revoked at once: every call with them is refused, for good.`;
  if (!confirm(consequence)) return;
  api('DELETE', `/customers/${customer.id}`).then(() => {
    showInfo(`Customer "${customer.name}" deleted; its keys are revoked.`);
    go(`#/projects/${customer.projectId}/customers`);
  }, showProblem);
}

export async function customerView(main: HTMLElement, customerId: string): Promise<void> {
  const customer = await api<Customer>('GET', `/customers/${customerId}`);
  const [keys, plans] = await Promise.all([
    listAll<Key>(`/projects/${customer.projectId}/keys`),
    listAll<Plan>(`/projects/${customer.projectId}/plans`),
  ]);
  const own = keys.filter((k) => k.customerId === customer.id);
  const live = own.filter((k) => k.status !== 'revoked').length;
  const plan = plans.find((p) => p.id === customer.planId);
  const created = takeRevealed();
  replace(
    main,
    crumbs([['customers', `#/projects/${customer.projectId}/customers`]], customer.id),
    el('h1', {}, customer.name),
    details([
      ['Id', el('code', {}, customer.id)],
      ['External id', el('code', {}, customer.externalId)],
      ['Plan', plan ? el('a', { href: `#/plans/${plan.id}` }, plan.name) : 'none'],
      ['Its own limits', limits(customer)],
      ['Limits that apply', el('span', { 'data-testid': 'customer-effective' }, limits(customer.effective))],
      ['Created', time(customer.createdAt)],
    ]),
    el(
      'p',
      { class: 'actions' },
      button('Delete customer', () => remove(customer, live), { class: 'danger', 'data-action': 'delete-customer' }),
    ),
    created ? revealPanel(created) : null,
    el('h2', {}, 'Keys'),
    own.length ? keysTable(own, [customer]) : el('p', { class: 'empty' }, 'No keys yet.'),
    el('h2', {}, 'New key for this customer'),
    createKeyForm(
      customer.projectId,
      [customer],
      [],
      (k) => {
        reveal(k);
        rerender();
      },
      customer.id,
    ),
    el('h2', {}, 'Edit'),
    editForm(customer, plans),
    el('h2', {}, 'Credits'),
    creditsForm(customer),
    usagePanel({ usage: `/customers/${customer.id}/usage`, traffic: `/customers/${customer.id}/traffic`, topKeys: true }),
    requestsPanel(`/customers/${customer.id}/requests`),
  );
}
