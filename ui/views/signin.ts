// Sign-in: the admin token is checked against the API, then kept in sessionStorage for this tab.

import { api, ApiProblem, signIn } from '../api';
import { el, replace } from '../dom';
import { clearNotice, showProblem } from '../notice';
import { rerender } from '../router';
import { field, form, input } from './form';

export function signInView(main: HTMLElement): void {
  const token = input('token', { type: 'password', required: true, autocomplete: 'current-password', 'aria-label': 'Admin token' });
  const signInForm = form(
    { class: 'signin', 'aria-label': 'Sign in' },
    () => {
      const value = token.value.trim();
      api('GET', '/projects?limit=1', undefined, value).then(
        () => {
          signIn(value);
          token.value = '';
          // A "Wrong admin token" from an earlier try is answered now.
          clearNotice();
          rerender();
        },
        (error: unknown) => {
          showProblem(error instanceof ApiProblem && error.status === 401 ? new ApiProblem(401, 'Wrong admin token', undefined) : error);
        },
      );
    },
    field('Admin token', token),
    el('button', { type: 'submit' }, 'Sign in'),
  );
  replace(
    main,
    el('h1', {}, 'Sign in'),
    el('p', {}, 'The admin token (ADMIN_TOKEN) is kept in this tab’s session storage only, and sent to this keygate’s admin API.'),
    signInForm,
  );
  token.focus();
}
