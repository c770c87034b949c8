// Chart.js (bundled, tree-shaken to bar and line charts) for the usage views. Every series that is an
// outcome takes its colour from src/core/outcome-colours.ts, so `rate-limited` is the same orange
// on every page and in the CLI; what is not an outcome (a route, a key, a percentile) takes a
// colour no outcome owns. A chart is built once and updated in place (live refresh redraws the
// same canvas: no flicker). Chart.js sets canvas sizes through the CSSOM, which a CSP without
// 'unsafe-inline' styles allows; labels are drawn on the canvas, never inserted as HTML.

import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartDataset,
} from 'chart.js';
import { outcomeColour } from '../src/core/outcome-colours';
import { el, replace } from './dom';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Legend, Tooltip);
Chart.defaults.animation = false;
Chart.defaults.font.family = 'system-ui, sans-serif';

/** Bars that are not outcomes (routes, keys): a slate no outcome owns. */
export const NEUTRAL = '#64748b';
/** Lines that are not outcomes: keygate's refusals as a share, and latency percentiles (indigos). */
export const REFUSED_LINE = '#e53935';
export const PERCENTILE_COLOURS: Record<string, string> = { p50: '#7986cb', p95: '#3949ab', p99: '#1a237e' };

let live: Chart[] = [];

/** Destroys the charts of the previous view (their canvases are gone with it). */
export function destroyCharts(): void {
  for (const chart of live) chart.destroy();
  live = [];
}

export interface Series {
  name: string;
  data: (number | null)[];
  colour: string;
}

/** One bucket of a time axis: its start (ISO) and its label on the axis. */
export interface Tick {
  start: string;
  label: string;
}

export interface TimeChart {
  box: HTMLElement;
  update(ticks: Tick[], series: Series[]): void;
}

/** The chart's frame: a caption, the canvas and a table of the same figures (for screen readers and exact reading). */
function frame(title: string, testId: string) {
  const canvas = el('canvas', { role: 'img', 'aria-label': title });
  const data = el('div', { class: 'scroll' });
  const details = el('details', { class: 'chart-data' }, el('summary', {}, 'Figures'), data);
  const box = el(
    'figure',
    { class: 'chart', 'data-testid': testId },
    el('figcaption', {}, title),
    el('div', { class: 'chart-area' }, canvas),
    details,
  );
  return { box, canvas, data, details };
}

function figures(ticks: Tick[], series: Series[], unit: string): HTMLTableElement {
  return el(
    'table',
    {},
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Bucket'), ...series.map((s) => el('th', { scope: 'col' }, s.name)))),
    el(
      'tbody',
      {},
      ...ticks.map((tick, i) =>
        el(
          'tr',
          {},
          el('td', {}, el('time', { datetime: tick.start }, tick.label)),
          ...series.map((s) => el('td', { class: 'num' }, s.data[i] === null ? '—' : `${s.data[i]}${unit}`)),
        ),
      ),
    ),
  );
}

function dataset(kind: 'bar' | 'line', s: Series): ChartDataset<'bar' | 'line', (number | null)[]> {
  return kind === 'bar'
    ? { label: s.name, data: s.data, backgroundColor: s.colour }
    : { label: s.name, data: s.data, borderColor: s.colour, backgroundColor: s.colour, spanGaps: true, pointRadius: 2 };
}

/** A chart over time: stacked bars (counts by outcome) or lines (shares, percentiles), `unit` after each figure. */
export function timeChart(title: string, testId: string, kind: 'bar' | 'line', unit = ''): TimeChart {
  const { box, canvas, data } = frame(title, testId);
  const stacked = kind === 'bar';
  const chart = new Chart<'bar' | 'line', (number | null)[], string>(canvas, {
    type: kind,
    data: { labels: [], datasets: [] },
    options: {
      maintainAspectRatio: false,
      scales: {
        x: { stacked, ticks: { autoSkip: true, maxRotation: 0 } },
        y: { stacked, beginAtZero: true, ticks: { precision: 0, callback: (v) => `${v}${unit}` } },
      },
      plugins: { legend: { position: 'bottom' } },
    },
  });
  live.push(chart);
  return {
    box,
    update(ticks, series) {
      chart.data.labels = ticks.map((t) => t.label);
      chart.data.datasets = series.map((s) => dataset(kind, s));
      chart.update('none');
      replace(data, figures(ticks, series, unit));
    },
  };
}

export interface RankRow {
  label: string;
  count: number;
  colour?: string;
  href?: string;
}

export interface RankingChart {
  box: HTMLElement;
  update(rows: RankRow[]): void;
}

/**
 * A ranking (top routes, top keys, denials by reason) as horizontal bars. Rows with `href` (keys)
 * are links: a click on the bar follows it, and the figures below are shown open, as links.
 */
export function rankingChart(title: string, testId: string): RankingChart {
  const { box, canvas, data, details } = frame(title, testId);
  const empty = el('p', { class: 'empty' }, 'No calls in this period.');
  box.insertBefore(empty, details);
  let rows: RankRow[] = [];
  const chart = new Chart<'bar', number[], string>(canvas, {
    type: 'bar',
    data: { labels: [], datasets: [{ label: 'calls', data: [], backgroundColor: [] }] },
    options: {
      indexAxis: 'y',
      maintainAspectRatio: false,
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
      plugins: { legend: { display: false } },
      onClick: (_event, elements) => {
        const href = rows[elements[0]?.index ?? -1]?.href;
        if (href) location.hash = href;
      },
    },
  });
  live.push(chart);
  return {
    box,
    update(next) {
      rows = next;
      empty.hidden = rows.length > 0;
      (canvas.parentElement as HTMLElement).hidden = rows.length === 0;
      if (rows.some((r) => r.href)) details.open = true;
      chart.data.labels = rows.map((r) => r.label);
      chart.data.datasets = [{ label: 'calls', data: rows.map((r) => r.count), backgroundColor: rows.map((r) => r.colour ?? NEUTRAL) }];
      chart.update('none');
      replace(
        data,
        el(
          'table',
          {},
          el(
            'tbody',
            {},
            ...rows.map((r) =>
              el('tr', {}, el('td', {}, r.href ? el('a', { href: r.href }, r.label) : r.label), el('td', { class: 'num' }, r.count)),
            ),
          ),
        ),
      );
    },
  };
}

/** The colour of an outcome's series (the shared table). */
export function colourOf(outcome: string): string {
  return outcomeColour(outcome).hex;
}
