// The top of every project page: the crumbs, the project's name and its tabs (keys and usage,
// customers, plans, settings).

import { crumbs, el } from '../dom';
import type { Project } from '../types';

const TABS = [
  ['', 'Keys and usage'],
  ['/customers', 'Customers'],
  ['/plans', 'Plans'],
  ['/settings', 'Settings'],
] as const;

export function projectHeader(project: Project, current: (typeof TABS)[number][0]): HTMLElement[] {
  return [
    crumbs([], project.id),
    el('h1', {}, project.name),
    el(
      'nav',
      { class: 'tabs', 'aria-label': 'Project' },
      ...TABS.map(([path, label]) =>
        el('a', { href: `#/projects/${project.id}${path}`, ...(path === current ? { 'aria-current': 'page' } : {}) }, label),
      ),
    ),
  ];
}
