// The page's one message line: problems from the admin API (title, detail, field errors) and
// confirmations, always as text.

import { ApiProblem } from './api';
import { el, replace } from './dom';

const area = (): HTMLElement => document.getElementById('notice') as HTMLElement;

export function clearNotice(): void {
  const notice = area();
  notice.className = '';
  replace(notice);
}

export function showInfo(message: string): void {
  const notice = area();
  notice.className = 'info';
  replace(notice, message);
}

export function showProblem(error: unknown): void {
  const notice = area();
  notice.className = 'problem';
  if (error instanceof ApiProblem) {
    replace(
      notice,
      el('strong', {}, error.title),
      error.detail ? ` — ${error.detail}` : '',
      error.errors.length ? el('ul', {}, ...error.errors.map((e) => el('li', {}, `${e.path || '(body)'}: ${e.message}`))) : null,
    );
  } else {
    replace(notice, el('strong', {}, 'Something went wrong'), ` — ${String(error)}`);
  }
}
