// A usage panel (gateway, project, customer or key) for the chosen span: totals; calls over time by
// result (origin 4xx/5xx apart from allowed calls); the error rate over time, keygate's refusals
// apart from the origin's errors; latency percentiles over time; top routes, top keys (by name,
// linking to the key) and denials by reason; and who is calling (top client IPs, countries, user
// agents). Built once, then updated in place on every reload (period change, Refresh, Live).

import { api } from '../api';
import { colourOf, NEUTRAL, PERCENTILE_COLOURS, rankingChart, REFUSED_LINE, timeChart, type Series, type Tick } from '../charts';
import { el, replace, wideTable } from '../dom';
import { bucketLabels } from '../format';
import { liveToggle } from '../live';
import { showProblem } from '../notice';
import type { Key, Traffic, Usage } from '../types';

const GRANULARITIES = [
  ['minute', 'last hour, by minute'],
  ['hour', 'last 24 hours, by hour'],
  ['day', 'last 30 days, by day'],
] as const;

/** What is not keygate answering for itself: allowed calls, the origin's own errors, preflights. */
const THROUGH = new Set(['allowed', 'origin-4xx', 'origin-5xx', 'preflight']);

/** Counts per group for each bucket, one array per group that occurs, `allowed` first. */
export function seriesByGroup(usage: Usage): Series[] {
  const names = new Set(usage.series.flatMap((b) => Object.keys(b.groups)));
  return [...names]
    .sort((a, b) => (a === 'allowed' ? -1 : b === 'allowed' ? 1 : a.localeCompare(b)))
    .map((name) => ({ name, data: usage.series.map((b) => b.groups[name] ?? 0), colour: colourOf(name) }));
}

/** Per bucket, the share (%) of calls keygate refused or failed, and of the origin's 4xx and 5xx. */
export function errorRates(usage: Usage): Series[] {
  const share = (pick: (groups: Record<string, number>) => number) =>
    usage.series.map((b) => (b.total === 0 ? null : Math.round((pick(b.groups) / b.total) * 1000) / 10));
  const refused = (g: Record<string, number>) => Object.entries(g).reduce((sum, [name, n]) => (THROUGH.has(name) ? sum : sum + n), 0);
  return [
    { name: 'refused or failed by keygate', data: share(refused), colour: REFUSED_LINE },
    { name: 'origin-4xx', data: share((g) => g['origin-4xx'] ?? 0), colour: colourOf('origin-4xx') },
    { name: 'origin-5xx', data: share((g) => g['origin-5xx'] ?? 0), colour: colourOf('origin-5xx') },
  ];
}

function ticksOf(starts: string[], granularity: Usage['granularity']): Tick[] {
  const labels = bucketLabels(starts, granularity);
  return starts.map((start, i) => ({ start, label: labels[i] ?? start }));
}

function ranked(counts: Record<string, number>): { label: string; count: number }[] {
  return Object.entries(counts)
    .map(([label, count]) => ({ label, count }))
    .sort((a, b) => b.count - a.count);
}

export interface UsageSource {
  /** `/…/usage` under the admin API. */
  usage: string;
  /** `/…/traffic`, where there is one (not for the whole gateway). */
  traffic: string | null;
  topKeys: boolean;
}

/** Key names for the top keys, asked once per key and panel. */
function keyNames(): (id: string) => Promise<string> {
  const known = new Map<string, Promise<string>>();
  return (id) => {
    let name = known.get(id);
    if (!name) {
      name = api<Key>('GET', `/keys/${id}`).then(
        (k) => k.name,
        () => id,
      );
      known.set(id, name);
    }
    return name;
  };
}

function callersTable(title: string, testId: string, column: string, rows: { value: string; count: number }[]): HTMLElement {
  return el(
    'div',
    { class: 'callers', 'data-testid': testId },
    el('h3', {}, title),
    rows.length
      ? wideTable([column, 'Calls'], rows, (r) => [el('span', { class: 'cell-text' }, r.value), r.count])
      : el('p', { class: 'empty' }, 'No calls in this period.'),
  );
}

/** The panel; loads at once and on every change of period, Refresh, or Live tick. */
export function usagePanel(source: UsageSource): HTMLElement {
  const totals = el('p', { class: 'totals' }, 'Loading usage…');
  const overTime = timeChart('Calls over time by result', 'chart-over-time', 'bar');
  const errors = timeChart('Error rate over time (% of calls)', 'chart-error-rate', 'line', '%');
  const latency = source.traffic ? timeChart('Latency over time (ms, from the request log)', 'chart-latency', 'line', ' ms') : null;
  const routes = rankingChart('Top routes', 'chart-top-routes');
  const keys = source.topKeys ? rankingChart('Top keys', 'chart-top-keys') : null;
  const denials = rankingChart('Denials by reason', 'chart-denials');
  const callers = el('div', { class: 'callers-grid' });
  const nameOf = keyNames();
  const select = el('select', { 'aria-label': 'Period', 'data-testid': 'usage-granularity' });
  for (const [value, label] of GRANULARITIES) select.appendChild(el('option', { value, selected: value === 'hour' }, label));

  async function load(): Promise<void> {
    try {
      const span = `granularity=${select.value}`;
      const [usage, traffic] = await Promise.all([
        api<Usage>('GET', `${source.usage}?${span}&groupBy=result`),
        source.traffic ? api<Traffic>('GET', `${source.traffic}?${span}`) : Promise.resolve(null),
      ]);
      const series = seriesByGroup(usage);
      const sum = (name: string) => series.find((s) => s.name === name)?.data.reduce<number>((a, b) => a + (b ?? 0), 0) ?? 0;
      const denied = Object.values(usage.denials).reduce((a, b) => a + b, 0);
      const outcomes = ranked(usage.byOutcome);
      replace(
        totals,
        el('strong', { 'data-testid': 'usage-total' }, `${usage.total} calls`),
        `, ${denied} refused, origin errors ${sum('origin-4xx')} 4xx and ${sum('origin-5xx')} 5xx`,
        outcomes.length ? ` (${outcomes.map((o) => `${o.label} ${o.count}`).join(', ')})` : '',
      );
      const ticks = ticksOf(
        usage.series.map((b) => b.start),
        usage.granularity,
      );
      overTime.update(ticks, series);
      errors.update(ticks, errorRates(usage));
      routes.update(usage.topRoutes.map((r) => ({ label: r.route ?? '(no route rule)', count: r.count })));
      denials.update(ranked(usage.denials).map((d) => ({ ...d, colour: colourOf(d.label) })));
      if (keys) {
        const names = await Promise.all(usage.topKeys.map((k) => nameOf(k.keyId)));
        keys.update(usage.topKeys.map((k, i) => ({ label: names[i] ?? k.keyId, count: k.count, href: `#/keys/${k.keyId}` })));
      }
      if (latency && traffic) {
        const points = ticksOf(
          traffic.latency.map((b) => b.start),
          traffic.granularity,
        );
        const pct = (p: 'p50' | 'p95' | 'p99'): Series => ({
          name: p,
          data: traffic.latency.map((b) => b[p]),
          colour: PERCENTILE_COLOURS[p] ?? NEUTRAL,
        });
        latency.update(points, [pct('p50'), pct('p95'), pct('p99')]);
        replace(
          callers,
          callersTable('Top client IPs', 'callers-ips', 'IP', traffic.clientIps),
          callersTable('Countries', 'callers-countries', 'Country', traffic.countries),
          callersTable('User agents', 'callers-agents', 'User agent', traffic.userAgents),
        );
      }
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
    el('div', { class: 'toolbar' }, select, refresh, liveToggle(load, 'usage-live')),
    totals,
    el('div', { class: 'charts' }, overTime.box, errors.box, latency?.box, routes.box, keys?.box, denials.box),
    source.traffic ? el('h3', {}, 'Who is calling (from the request log)') : null,
    callers,
  );
}
