// A project's settings: its name and description, and deletion (which revokes every key it has,
// said before it is done).

import { api } from '../api';
import { button, el, replace } from '../dom';
import { showInfo, showProblem } from '../notice';
import { go, rerender } from '../router';
import type { Key, Project } from '../types';
import { field, form, input, value } from './form';
import { projectHeader } from './project-nav';
import { listAll } from './projects';

function remove(project: Project, keys: number): void {
  const consequence = `Delete project "${project.name}"? Its ${keys} key${keys === 1 ? '' : 's'} ${keys === 1 ? 'is' : 'are'} revoked at once, and its customers and plans go with it. This cannot be undone.`;
  if (!confirm(consequence)) return;
  api('DELETE', `/projects/${project.id}`).then(() => {
    showInfo(`Project "${project.name}" deleted; its keys are revoked.`);
    go('#/projects');
  }, showProblem);
}

export async function settingsView(main: HTMLElement, projectId: string): Promise<void> {
  const [project, keys] = await Promise.all([api<Project>('GET', `/projects/${projectId}`), listAll<Key>(`/projects/${projectId}/keys`)]);
  const name = input('name', { required: true, maxlength: '200' });
  const description = input('description', { maxlength: '2000' });
  name.value = project.name;
  description.value = project.description ?? '';
  const edit = form(
    { class: 'inline', 'aria-label': 'Edit project' },
    (f) => {
      api<Project>('PATCH', `/projects/${project.id}`, { name: value(f, 'name'), description: value(f, 'description') }).then((p) => {
        showInfo(`Project "${p.name}" saved.`);
        rerender();
      }, showProblem);
    },
    field('Name', name),
    field('Description', description),
    el('button', { type: 'submit' }, 'Save project'),
  );
  const live = keys.filter((k) => k.status !== 'revoked').length;
  replace(
    main,
    ...projectHeader(project, '/settings'),
    el('h2', {}, 'Edit'),
    edit,
    el('h2', {}, 'Delete'),
    el('p', {}, `Deleting this project revokes its ${live} active key${live === 1 ? '' : 's'} at once.`),
    button('Delete project', () => remove(project, live), { class: 'danger', 'data-action': 'delete-project' }),
  );
}
