// A project: its keys (status, exposed flag, last use, limits, customer, actions), the form that
// creates a key (optionally for a customer or under a plan), and the project's usage and traffic.

import { api } from '../api';
import { el, replace, wideTable } from '../dom';
import { limits, time } from '../format';
import { showProblem } from '../notice';
import { reveal, rerender, takeRevealed } from '../router';
import type { Customer, Key, KeyCreated, Plan, Project } from '../types';
import { field, form, input, select, value } from './form';
import { keyActions, revealPanel } from './key-actions';
import { limitBody, limitFields } from './limit-fields';
import { projectHeader } from './project-nav';
import { listAll } from './projects';
import { usagePanel } from './usage';

const EXPOSED_HOW: Record<string, string> = {
  http: 'sent over plain http',
  url: 'sent in a URL',
  leak: 'reported leaked by secret scanning',
};

export function statusBadge(key: Key): HTMLElement {
  return el(
    'span',
    { class: 'badges' },
    el('span', { class: `badge ${key.status}`, 'data-testid': 'key-status' }, key.status),
    key.exposed ? el('span', { class: 'badge exposed', title: EXPOSED_HOW[key.exposedReason ?? ''] ?? 'exposed' }, 'exposed') : null,
  );
}

/** A select of ids with names, '' for none, `current` selected. */
function holderSelect(name: string, items: { id: string; name: string }[], current = ''): HTMLSelectElement {
  const options = items.map((i) => el('option', { value: i.id, selected: i.id === current }, i.name));
  return el('select', { name }, el('option', { value: '' }, 'none'), ...options);
}

/** The API's body for the create-key form; fields left empty are left out. */
function keyBody(f: HTMLFormElement): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: value(f, 'name'),
    scopes: value(f, 'scopes')
      .split(/[\s,]+/)
      .filter(Boolean),
    environment: value(f, 'environment'),
    ...limitBody(f, false),
  };
  if (value(f, 'customerId')) body.customerId = value(f, 'customerId');
  if (value(f, 'planId')) body.planId = value(f, 'planId');
  return body;
}

/** The new-key form; `customerId` preselects the customer (on a customer's page). */
export function createKeyForm(
  projectId: string,
  customers: Customer[],
  plans: Plan[],
  onCreated: (k: KeyCreated) => void,
  customerId = '',
): HTMLFormElement {
  return form(
    { class: 'grid', 'aria-label': 'New key' },
    (f) => {
      api<KeyCreated>('POST', `/projects/${projectId}/keys`, keyBody(f)).then(onCreated, showProblem);
    },
    field('Name', input('name', { required: true, maxlength: '200' })),
    field('Scopes (space or comma separated)', input('scopes', { placeholder: 'forms:read forms:write' })),
    field('Environment', select('environment', ['live', 'test'])),
    field('Customer (shares its limits)', holderSelect('customerId', customers, customerId)),
    field('Plan', holderSelect('planId', plans)),
    ...limitFields(),
    el('button', { type: 'submit' }, 'Create key'),
  );
}

/** The keys table (also a customer's and a plan's holders). */
export function keysTable(keys: Key[], customers: Customer[]): HTMLElement {
  const customerName = new Map(customers.map((c) => [c.id, c.name]));
  return wideTable(
    ['Name', 'Start', 'Env', 'Status', 'Customer', 'Scopes', 'Last used', 'Limits', ''],
    keys,
    (k) => [
      el('a', { href: `#/keys/${k.id}` }, k.name),
      el('code', {}, k.start),
      k.environment,
      statusBadge(k),
      k.customerId ? el('a', { href: `#/customers/${k.customerId}` }, customerName.get(k.customerId) ?? k.customerId) : '',
      el('span', { class: 'cell-text' }, k.scopes.join(' ')),
      time(k.lastUsedAt),
      el('span', { class: 'cell-text' }, limits(k.effective)),
      el('span', { class: 'actions' }, ...keyActions(k)),
    ],
    { 'data-testid': 'keys' },
  );
}

export async function projectView(main: HTMLElement, projectId: string): Promise<void> {
  const [project, keys, customers, plans] = await Promise.all([
    api<Project>('GET', `/projects/${projectId}`),
    listAll<Key>(`/projects/${projectId}/keys`),
    listAll<Customer>(`/projects/${projectId}/customers`),
    listAll<Plan>(`/projects/${projectId}/plans`),
  ]);
  const created = takeRevealed();
  replace(
    main,
    ...projectHeader(project, ''),
    project.description ? el('p', {}, project.description) : null,
    created ? revealPanel(created) : null,
    el('h2', {}, 'Keys'),
    keys.length ? keysTable(keys, customers) : el('p', { class: 'empty' }, 'No keys yet.'),
    el('h2', {}, 'New key'),
    createKeyForm(project.id, customers, plans, (k) => {
      reveal(k);
      rerender();
    }),
    usagePanel({ usage: `/projects/${project.id}/usage`, traffic: `/projects/${project.id}/traffic`, topKeys: true }),
  );
}
