// The projects list and the form that creates one.

import { api } from '../api';
import { el, replace, wideTable } from '../dom';
import { time } from '../format';
import { showProblem } from '../notice';
import { go } from '../router';
import type { Page, Project } from '../types';
import { field, form, input, value } from './form';

/** Every page of a list route (the dashboard shows whole lists; the API pages by 100). */
export async function listAll<T>(path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page: Page<T> = await api<Page<T>>('GET', `${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

export async function projectsView(main: HTMLElement): Promise<void> {
  const projects = await listAll<Project>('/projects');
  const create = form(
    { class: 'inline', 'aria-label': 'New project' },
    (f) => {
      const description = value(f, 'description');
      api<Project>('POST', '/projects', { name: value(f, 'name'), ...(description ? { description } : {}) }).then(
        (project) => go(`#/projects/${project.id}`),
        showProblem,
      );
    },
    field('Name', input('name', { required: true, maxlength: '200' })),
    field('Description', input('description')),
    el('button', { type: 'submit' }, 'Create project'),
  );
  replace(
    main,
    el('h1', {}, 'Projects'),
    projects.length
      ? wideTable(
          ['Name', 'Id', 'Description', 'Created'],
          projects,
          (p) => [
            el('a', { href: `#/projects/${p.id}` }, p.name),
            el('code', {}, p.id),
            el('span', { class: 'cell-text' }, p.description ?? ''),
            time(p.createdAt),
          ],
          { 'data-testid': 'projects' },
        )
      : el('p', { class: 'empty' }, 'No projects yet.'),
    el('h2', {}, 'New project'),
    create,
  );
}
