// The dashboard's entry: the header, sign-in state and the hash router.

import { ApiProblem, signOut, token } from './api';
import { destroyCharts } from './charts';
import { el, replace } from './dom';
import { clearNotice, showProblem } from './notice';
import { setRenderer } from './router';
import { keyView } from './views/key';
import { projectView } from './views/project';
import { projectsView } from './views/projects';
import { signInView } from './views/signin';
import { usagePanel } from './views/usage';

const main = document.getElementById('main') as HTMLElement;
const nav = document.getElementById('nav') as HTMLElement;

function header(): void {
  if (!token()) return replace(nav);
  replace(
    nav,
    el('a', { href: '#/projects' }, 'Projects'),
    el('a', { href: '#/usage' }, 'Gateway usage'),
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

async function show(route: string): Promise<void> {
  const [, section, id] = route.split('/');
  if (section === 'projects' && id) return projectView(main, id);
  if (section === 'keys' && id) return keyView(main, id);
  if (section === 'usage') return replace(main, el('h1', {}, 'Gateway usage'), usagePanel('/usage', true));
  return projectsView(main);
}

function render(): void {
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
