// A project's customers: the list (external id, plan, the limits that apply, quota left, credits,
// keys) and the form that creates one.

import { api } from '../api';
import { el, replace, wideTable } from '../dom';
import { limits } from '../format';
import { showProblem } from '../notice';
import { go } from '../router';
import type { Customer, Key, Plan, Project } from '../types';
import { field, form, input, value } from './form';
import { limitBody, limitFields } from './limit-fields';
import { projectHeader } from './project-nav';
import { listAll } from './projects';
import { planSelect } from './plans';

export function customerForm(projectId: string, plans: Plan[]): HTMLFormElement {
  return form(
    { class: 'grid', 'aria-label': 'New customer' },
    (f) => {
      const body = {
        externalId: value(f, 'externalId'),
        name: value(f, 'name'),
        planId: value(f, 'planId') || null,
        ...limitBody(f, false),
      };
      api<Customer>('POST', `/projects/${projectId}/customers`, body).then((c) => go(`#/customers/${c.id}`), showProblem);
    },
    field('Name', input('name', { required: true, maxlength: '200' })),
    field('External id (your id for them)', input('externalId', { required: true, maxlength: '200', placeholder: 'acct_1042' })),
    field('Plan', planSelect(plans, null)),
    ...limitFields(),
    el('button', { type: 'submit' }, 'Create customer'),
  );
}

export async function customersView(main: HTMLElement, projectId: string): Promise<void> {
  const [project, customers, plans, keys] = await Promise.all([
    api<Project>('GET', `/projects/${projectId}`),
    listAll<Customer>(`/projects/${projectId}/customers`),
    listAll<Plan>(`/projects/${projectId}/plans`),
    listAll<Key>(`/projects/${projectId}/keys`),
  ]);
  const planName = new Map(plans.map((p) => [p.id, p.name]));
  const keyCount = (id: string) => keys.filter((k) => k.customerId === id && k.status !== 'revoked').length;
  replace(
    main,
    ...projectHeader(project, '/customers'),
    el('p', {}, 'A customer’s keys share its limits, quota and credits: rotating or adding a key never resets what was spent.'),
    customers.length
      ? wideTable(
          ['Name', 'External id', 'Plan', 'Limits that apply', 'Keys'],
          customers,
          (c) => [
            el('a', { href: `#/customers/${c.id}` }, c.name),
            el('code', {}, c.externalId),
            c.planId ? el('a', { href: `#/plans/${c.planId}` }, planName.get(c.planId) ?? c.planId) : 'none',
            el('span', { class: 'cell-text' }, limits(c.effective)),
            keyCount(c.id),
          ],
          { 'data-testid': 'customers' },
        )
      : el('p', { class: 'empty' }, 'No customers yet.'),
    el('h2', {}, 'New customer'),
    customerForm(project.id, plans),
  );
}
