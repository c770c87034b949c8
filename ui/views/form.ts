// Small form helpers: labelled inputs and reading them back.

import { el, type Props } from '../dom';

export function field(label: string, input: HTMLInputElement | HTMLSelectElement): HTMLLabelElement {
  return el('label', {}, el('span', {}, label), input);
}

export function input(name: string, props: Props = {}): HTMLInputElement {
  return el('input', { name, autocomplete: 'off', ...props });
}

export function select(name: string, options: string[]): HTMLSelectElement {
  return el('select', { name }, ...options.map((o) => el('option', { value: o }, o || '—')));
}

/** The form's trimmed text value for `name` ('' when absent). */
export function value(form: HTMLFormElement, name: string): string {
  const control = form.elements.namedItem(name);
  return control instanceof HTMLInputElement || control instanceof HTMLSelectElement ? control.value.trim() : '';
}

/** A number typed in a field, or the text as typed so that the API names the field in its 400. */
export function numberOrText(text: string): number | string {
  return /^\d+$/.test(text) ? Number(text) : text;
}

/** A form whose submit runs `onSubmit` instead of navigating (the CSP forbids form posts anyway). */
export function form(props: Props, onSubmit: (form: HTMLFormElement) => void, ...children: Node[]): HTMLFormElement {
  const f = el('form', props, ...children);
  f.addEventListener('submit', (event) => {
    event.preventDefault();
    onSubmit(f);
  });
  return f;
}
