// A project: its keys (status, exposed flag, last use, limits, actions), the form that creates a
// key, and the project's usage.

import { api } from '../api';
import { el, replace, table } from '../dom';
import { limits, time } from '../format';
import { showProblem } from '../notice';
import { reveal, rerender, takeRevealed } from '../router';
import type { Key, KeyCreated, Project } from '../types';
import { field, form, input, numberOrText, select, value } from './form';
import { keyActions, revealPanel } from './key-actions';
import { listAll } from './projects';

const EXPOSED_HOW: Record<string, string> = {
  http: 'sent over plain http',
  url: 'sent in a URL',
  leak: 'reported leaked by secret scanning',
};
import { usagePanel } from './usage';

export function statusBadge(key: Key): HTMLElement {
  return el(
    'span',
    {},
    el('span', { class: `badge ${key.status}`, 'data-testid': 'key-status' }, key.status),
    key.exposed ? el('span', { class: 'badge exposed', title: EXPOSED_HOW[key.exposedReason ?? ''] ?? 'exposed' }, 'exposed') : null,
  );
}

/** The API's body for the create-key form; fields left empty are left out. */
function keyBody(f: HTMLFormElement): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: value(f, 'name'),
    scopes: value(f, 'scopes')
      .split(/[\s,]+/)
      .filter(Boolean),
    environment: value(f, 'environment'),
  };
  const [limit, windowSeconds] = [value(f, 'rateLimit'), value(f, 'rateWindow')];
  if (limit || windowSeconds)
    body.rateLimits = [{ name: 'default', limit: numberOrText(limit), windowSeconds: numberOrText(windowSeconds) }];
  if (value(f, 'quota')) body.quota = { limit: numberOrText(value(f, 'quota')), period: value(f, 'quotaPeriod') };
  return body;
}

function createKeyForm(projectId: string): HTMLFormElement {
  return form(
    { class: 'grid', 'aria-label': 'New key' },
    (f) => {
      api<KeyCreated>('POST', `/projects/${projectId}/keys`, keyBody(f)).then((created) => {
        reveal(created);
        rerender();
      }, showProblem);
    },
    field('Name', input('name', { required: true, maxlength: '200' })),
    field('Scopes (space or comma separated)', input('scopes', { placeholder: 'forms:read forms:write' })),
    field('Environment', select('environment', ['live', 'test'])),
    field('Rate limit: calls', input('rateLimit', { inputmode: 'numeric', placeholder: 'optional' })),
    field('per seconds', input('rateWindow', { inputmode: 'numeric', placeholder: 'e.g. 60' })),
    field('Quota: calls', input('quota', { inputmode: 'numeric', placeholder: 'optional' })),
    field('per', select('quotaPeriod', ['day', 'month'])),
    el('button', { type: 'submit' }, 'Create key'),
  );
}

export async function projectView(main: HTMLElement, projectId: string): Promise<void> {
  const [project, keys] = await Promise.all([api<Project>('GET', `/projects/${projectId}`), listAll<Key>(`/projects/${projectId}/keys`)]);
  const created = takeRevealed();
  replace(
    main,
    el('p', { class: 'crumbs' }, el('a', { href: '#/projects' }, 'Projects'), ' / ', el('code', {}, project.id)),
    el('h1', {}, project.name),
    project.description ? el('p', {}, project.description) : null,
    created ? revealPanel(created) : null,
    el('h2', {}, 'Keys'),
    keys.length
      ? table(
          ['Name', 'Start', 'Env', 'Status', 'Scopes', 'Last used', 'Limits', ''],
          keys,
          (k) => [
            el('a', { href: `#/keys/${k.id}` }, k.name),
            el('code', {}, k.start),
            k.environment,
            statusBadge(k),
            k.scopes.join(' '),
            time(k.lastUsedAt),
            limits(k),
            el('span', { class: 'actions' }, ...keyActions(k)),
          ],
          { 'data-testid': 'keys' },
        )
      : el('p', { class: 'empty' }, 'No keys yet.'),
    el('h2', {}, 'New key'),
    createKeyForm(project.id),
    usagePanel(`/projects/${project.id}/usage`, true),
  );
}
