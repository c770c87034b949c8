// A usage panel (gateway, project or key): totals, calls over time by outcome, top routes, top
// keys and denials by reason, for the chosen granularity.

import { api } from '../api';
import { destroyCharts, rankingChart, stackedChart } from '../charts';
import { el, replace } from '../dom';
import { bucket } from '../format';
import { showProblem } from '../notice';
import type { Usage } from '../types';

const GRANULARITIES = [
  ['minute', 'last hour, by minute'],
  ['hour', 'last 24 hours, by hour'],
  ['day', 'last 30 days, by day'],
] as const;

/** Counts per outcome for each bucket, one array per outcome that occurs. */
export function seriesByOutcome(usage: Usage): Record<string, number[]> {
  const names = new Set(usage.series.flatMap((b) => Object.keys(b.groups)));
  const series: Record<string, number[]> = {};
  for (const name of [...names].sort((a, b) => (a === 'allowed' ? -1 : b === 'allowed' ? 1 : a.localeCompare(b)))) {
    series[name] = usage.series.map((b) => b.groups[name] ?? 0);
  }
  return series;
}

function ranked(counts: Record<string, number>): { label: string; count: number }[] {
  return Object.entries(counts)
    .map(([label, count]) => ({ label, count }))
    .sort((a, b) => b.count - a.count);
}

function render(usage: Usage, withTopKeys: boolean): HTMLElement[] {
  const outcomes = ranked(usage.byOutcome);
  const denied = Object.values(usage.denials).reduce((a, b) => a + b, 0);
  const totals = el(
    'p',
    { class: 'totals' },
    el('strong', { 'data-testid': 'usage-total' }, `${usage.total} calls`),
    `, ${denied} refused`,
    outcomes.length ? ` (${outcomes.map((o) => `${o.label} ${o.count}`).join(', ')})` : '',
  );
  const labels = usage.series.map((b) => bucket(b.start, usage.granularity));
  const charts = el(
    'div',
    { class: 'charts' },
    stackedChart('Calls over time by outcome', 'chart-over-time', labels, seriesByOutcome(usage)),
    rankingChart(
      'Top routes',
      'chart-top-routes',
      usage.topRoutes.map((r) => ({ label: r.route ?? '(no route rule)', count: r.count })),
      '#1565c0',
    ),
    withTopKeys
      ? rankingChart(
          'Top keys',
          'chart-top-keys',
          usage.topKeys.map((k) => ({ label: k.keyId, count: k.count })),
          '#6a1b9a',
        )
      : null,
    rankingChart('Denials by reason', 'chart-denials', ranked(usage.denials), '#c62828'),
  );
  return [totals, charts];
}

/** The panel for `/…/usage` under the admin API; loads at once and on every change of granularity. */
export function usagePanel(path: string, withTopKeys: boolean): HTMLElement {
  const body = el('div', {}, el('p', { class: 'empty' }, 'Loading usage…'));
  const select = el('select', { 'aria-label': 'Period', 'data-testid': 'usage-granularity' });
  for (const [value, label] of GRANULARITIES) select.appendChild(el('option', { value, selected: value === 'hour' }, label));
  async function load(): Promise<void> {
    try {
      const usage = await api<Usage>('GET', `${path}?granularity=${select.value}`);
      destroyCharts();
      replace(body, ...render(usage, withTopKeys));
    } catch (error) {
      showProblem(error);
    }
  }
  select.addEventListener('change', () => void load());
  const refresh = el('button', { type: 'button', on: { click: () => void load() } }, 'Refresh');
  void load();
  return el(
    'section',
    { class: 'usage', 'data-testid': 'usage' },
    el('h2', {}, 'Usage'),
    el('div', { class: 'toolbar' }, select, refresh),
    body,
  );
}
