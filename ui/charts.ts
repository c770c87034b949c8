// Chart.js (bundled, tree-shaken to bar charts) for the usage view. Chart.js sets canvas sizes
// through the CSSOM, which a CSP without 'unsafe-inline' styles allows; labels are drawn on the
// canvas, never inserted as HTML.

import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import { el } from './dom';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);
Chart.defaults.animation = false;
Chart.defaults.font.family = 'system-ui, sans-serif';

// Fixed colours for the usual outcomes; other problem types take the rest in turn.
const OUTCOME_COLOURS: Record<string, string> = { allowed: '#2e7d32', preflight: '#78909c' };
const PALETTE = ['#c62828', '#ef6c00', '#6a1b9a', '#1565c0', '#00838f', '#ad1457', '#4e342e', '#9e9d24', '#283593', '#37474f'];

let live: Chart[] = [];

/** Destroys the charts of the previous view (their canvases are gone with it). */
export function destroyCharts(): void {
  for (const chart of live) chart.destroy();
  live = [];
}

function colourOf(name: string, index: number): string {
  return OUTCOME_COLOURS[name] ?? PALETTE[index % PALETTE.length] ?? '#555';
}

function frame(title: string, testId: string): { box: HTMLElement; canvas: HTMLCanvasElement } {
  const canvas = el('canvas', { role: 'img', 'aria-label': title });
  const box = el(
    'figure',
    { class: 'chart', 'data-testid': testId },
    el('figcaption', {}, title),
    el('div', { class: 'chart-area' }, canvas),
  );
  return { box, canvas };
}

/** Calls over time, one stacked series per outcome. */
export function stackedChart(title: string, testId: string, labels: string[], series: Record<string, number[]>): HTMLElement {
  const { box, canvas } = frame(title, testId);
  const datasets = Object.entries(series).map(([name, data], i) => ({ label: name, data, backgroundColor: colourOf(name, i) }));
  live.push(
    new Chart(canvas, {
      type: 'bar',
      data: { labels, datasets },
      options: {
        maintainAspectRatio: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: 'bottom' } },
      },
    }),
  );
  return box;
}

/** A ranking (top routes, top keys, denials by reason) as horizontal bars. */
export function rankingChart(title: string, testId: string, rows: { label: string; count: number }[], colour: string): HTMLElement {
  const { box, canvas } = frame(title, testId);
  if (rows.length === 0) {
    box.appendChild(el('p', { class: 'empty' }, 'No calls in this period.'));
    return box;
  }
  live.push(
    new Chart(canvas, {
      type: 'bar',
      data: { labels: rows.map((r) => r.label), datasets: [{ label: 'calls', data: rows.map((r) => r.count), backgroundColor: colour }] },
      options: {
        indexAxis: 'y',
        maintainAspectRatio: false,
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { display: false } },
      },
    }),
  );
  return box;
}
