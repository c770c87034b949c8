// The limit fields shared by the key, customer and plan forms: one rate-limit window, a quota and
// credits (with an optional refill). A create form sends only what was filled in; an edit form
// sends only the groups that were changed, so a holder's other windows (set through the API or
// the CLI) are never dropped by an edit that did not touch them.

import { el } from '../dom';
import type { Customer, Key, Plan } from '../types';
import { field, input, numberOrText, select, value } from './form';

type Holder = Pick<Key | Customer | Plan, 'rateLimits' | 'quota' | 'credits'>;
const GROUPS = {
  rate: ['rateLimit', 'rateWindow'],
  quota: ['quota', 'quotaPeriod'],
  credits: ['credits', 'refillPeriod', 'refillMode', 'refillAmount'],
};

function preset(control: HTMLInputElement | HTMLSelectElement, v: string | number | undefined): HTMLInputElement | HTMLSelectElement {
  if (v !== undefined) control.value = String(v);
  return control;
}

/** The labelled fields, filled in from `current` when editing. */
export function limitFields(current?: Holder): HTMLElement[] {
  const rate = current?.rateLimits[0];
  const note =
    current && current.rateLimits.length > 1
      ? el(
          'p',
          { class: 'note' },
          `${current.rateLimits.length} rate-limit windows: the first is shown; change the others with the CLI or the API.`,
        )
      : null;
  return [
    field('Rate limit: calls', preset(input('rateLimit', { inputmode: 'numeric', placeholder: 'optional' }), rate?.limit)),
    field('per seconds', preset(input('rateWindow', { inputmode: 'numeric', placeholder: 'e.g. 60' }), rate?.windowSeconds)),
    field('Quota: calls', preset(input('quota', { inputmode: 'numeric', placeholder: 'optional' }), current?.quota?.limit)),
    field('per', preset(select('quotaPeriod', ['month', 'day']), current?.quota?.period)),
    field('Credits', preset(input('credits', { inputmode: 'numeric', placeholder: 'optional' }), current?.credits?.initial)),
    field('refilled each', preset(select('refillPeriod', ['', 'day', 'month']), current?.credits?.refill?.period)),
    field('refill', preset(select('refillMode', ['to', 'by']), current?.credits?.refill?.mode)),
    field('refill amount', preset(input('refillAmount', { inputmode: 'numeric' }), current?.credits?.refill?.amount)),
    ...(note ? [note] : []),
  ];
}

/** Marks each limit group of `f` as changed once one of its fields is, for `limitBody(f, true)`. */
export function trackChanges(f: HTMLFormElement): void {
  f.addEventListener('input', (event) => {
    const name = (event.target as HTMLInputElement).name;
    for (const [group, names] of Object.entries(GROUPS)) if (names.includes(name)) f.dataset[group] = 'changed';
  });
}

/** The limits of the form as the API takes them: all that is filled in (create), or the changed groups (edit; emptied = removed). */
export function limitBody(f: HTMLFormElement, edit: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const wanted = (group: string, filled: boolean) => (edit ? f.dataset[group] === 'changed' : filled);
  const [limit, windowSeconds] = [value(f, 'rateLimit'), value(f, 'rateWindow')];
  if (wanted('rate', Boolean(limit || windowSeconds)))
    body.rateLimits =
      limit || windowSeconds ? [{ name: 'default', limit: numberOrText(limit), windowSeconds: numberOrText(windowSeconds) }] : [];
  if (wanted('quota', Boolean(value(f, 'quota'))))
    body.quota = value(f, 'quota') ? { limit: numberOrText(value(f, 'quota')), period: value(f, 'quotaPeriod') } : null;
  if (wanted('credits', Boolean(value(f, 'credits')))) {
    const period = value(f, 'refillPeriod');
    const refill = period ? { period, mode: value(f, 'refillMode'), amount: numberOrText(value(f, 'refillAmount')) } : null;
    body.credits = value(f, 'credits') ? { initial: numberOrText(value(f, 'credits')), refill } : null;
  }
  return body;
}
