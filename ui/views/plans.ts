// A project's plans: the list (scopes, limits, how many keys and customers hold each) and the form
// that creates one.

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

/** A plan select for a holder's form, `current` selected. */
export function planSelect(plans: Plan[], current: string | null): HTMLSelectElement {
  return el(
    'select',
    { name: 'planId' },
    el('option', { value: '' }, 'none'),
    ...plans.map((p) => el('option', { value: p.id, selected: p.id === current }, p.name)),
  );
}

/** Scopes as typed in a form (space or comma separated). */
export function scopesOf(f: HTMLFormElement): string[] {
  return value(f, 'scopes')
    .split(/[\s,]+/)
    .filter(Boolean);
}

export function planFields(plan?: Plan): HTMLElement[] {
  const name = input('name', { required: true, maxlength: '200' });
  const scopes = input('scopes', { placeholder: 'forms:read' });
  if (plan) {
    name.value = plan.name;
    scopes.value = plan.scopes.join(' ');
  }
  return [field('Name', name), field('Scopes of keys without their own', scopes), ...limitFields(plan)];
}

export async function plansView(main: HTMLElement, projectId: string): Promise<void> {
  const [project, plans, keys, customers] = await Promise.all([
    api<Project>('GET', `/projects/${projectId}`),
    listAll<Plan>(`/projects/${projectId}/plans`),
    listAll<Key>(`/projects/${projectId}/keys`),
    listAll<Customer>(`/projects/${projectId}/customers`),
  ]);
  const holders = (id: string) =>
    `${keys.filter((k) => k.planId === id && k.status !== 'revoked').length} keys, ${customers.filter((c) => c.planId === id).length} customers`;
  const create = form(
    { class: 'grid', 'aria-label': 'New plan' },
    (f) => {
      const body = { name: value(f, 'name'), scopes: scopesOf(f), ...limitBody(f, false) };
      api<Plan>('POST', `/projects/${projectId}/plans`, body).then((p) => go(`#/plans/${p.id}`), showProblem);
    },
    ...planFields(),
    el('button', { type: 'submit' }, 'Create plan'),
  );
  replace(
    main,
    ...projectHeader(project, '/plans'),
    el('p', {}, 'A key or customer on a plan takes each limit from it where it has none of its own; changing a plan changes every holder.'),
    plans.length
      ? wideTable(
          ['Name', 'Scopes', 'Limits', 'Holders'],
          plans,
          (p) => [
            el('a', { href: `#/plans/${p.id}` }, p.name),
            el('span', { class: 'cell-text' }, p.scopes.join(' ')),
            el('span', { class: 'cell-text' }, limits(p)),
            holders(p.id),
          ],
          { 'data-testid': 'plans' },
        )
      : el('p', { class: 'empty' }, 'No plans yet.'),
    el('h2', {}, 'New plan'),
    create,
  );
}
