// The dashboard's entry: the header (with the link to the API's docs page), sign-in state and the
// hash router.

import { ApiProblem, signOut, token } from './api';
import { destroyCharts } from './charts';
import { el, replace } from './dom';
import { stopLive } from './live';
import { clearNotice, showProblem } from './notice';
import { setRenderer } from './router';
import { auditView } from './views/audit';
import { customerView } from './views/customer';
import { customersView } from './views/customers';
import { keyView } from './views/key';
import { planView } from './views/plan';
import { plansView } from './views/plans';
import { projectView } from './views/project';
import { projectsView } from './views/projects';
import { settingsView } from './views/settings';
import { signInView } from './views/signin';
import { usagePanel } from './views/usage';
import { webhooksView } from './views/webhooks';

const main = document.getElementById('main') as HTMLElement;
const nav = document.getElementById('nav') as HTMLElement;

function header(): void {
  const docs = el('a', { href: '/_keygate/docs', class: 'docs' }, 'API docs');
  if (!token()) return replace(nav, docs);
  replace(
    nav,
    el('a', { href: '#/projects' }, 'Projects'),
    el('a', { href: '#/usage' }, 'Gateway usage'),
    el('a', { href: '#/audit' }, 'Audit log'),
    el('a', { href: '#/webhooks' }, 'Webhooks'),
    docs,
    el(
      'button',
      {
        type: 'button',
        'data-action': 'sign-out',
        on: {
          click: () => {
            signOut();
            clearNotice();
            render();
          },
        },
      },
      'Sign out',
    ),
  );
}

const PROJECT_TABS: Record<string, (main: HTMLElement, id: string) => Promise<void>> = {
  '': projectView,
  customers: customersView,
  plans: plansView,
  settings: settingsView,
};

async function show(route: string): Promise<void> {
  const [, section, id, tab = ''] = route.split('/');
  const projectTab = PROJECT_TABS[tab];
  if (section === 'projects' && id && projectTab) return projectTab(main, id);
  if (section === 'keys' && id) return keyView(main, id);
  if (section === 'customers' && id) return customerView(main, id);
  if (section === 'plans' && id) return planView(main, id);
  if (section === 'audit') return auditView(main);
  if (section === 'webhooks') return webhooksView(main);
  if (section === 'usage')
    return replace(main, el('h1', {}, 'Gateway usage'), usagePanel({ usage: '/usage', traffic: null, topKeys: true }));
  return projectsView(main);
}

function render(): void {
  stopLive();
  destroyCharts();
  header();
  if (!token()) return signInView(main);
  show(location.hash.replace(/^#/, '')).catch((error: unknown) => {
    if (error instanceof ApiProblem && error.status === 401) {
      // The token was changed on the server: back to sign-in.
      signOut();
      render();
    }
    showProblem(error);
  });
}

setRenderer(render);
window.addEventListener('hashchange', () => {
  clearNotice();
  render();
});
render();
