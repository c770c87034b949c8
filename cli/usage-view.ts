// `keygate usage` as a terminal page: calls over time as a chart (by outcome: allowed at the bottom,
// each refusal stacked above it in its colour from src/core/outcome-colours.ts, with a legend), then
// the series by --group-by, and totals by outcome, status class, route, refusal and key. Every
// table's shares add up to 100 %: a top-N list gets an "(other)" row for what it leaves out.

import type { UsageView } from './api';
import { stackedChart, type Paint } from './chart';
import { color, counts, percentages, table, time, when } from './output';
import { outcomeColour } from '../src/core/outcome-colours';

/** The ordered segments of the chart: one for the totals, or by outcome with allowed first. */
export interface Segments {
  names: string[];
  values: number[][];
}

/** Key or project id → name, for those the page names. */
export type Names = ReadonlyMap<string, string>;

const SERIES_ROWS = 24;
const SERIES_GROUPS = 5;

export function segmentsOf(u: UsageView): Segments {
  if (u.groupBy !== 'outcome') return { names: ['calls'], values: [u.series.map((b) => b.total)] };
  const names = counts(u.byOutcome)
    .map(([name]) => name)
    .sort((a, b) => Number(b === 'allowed') - Number(a === 'allowed'));
  return { names, values: names.map((name) => u.series.map((b) => b.groups[name] ?? 0)) };
}

const fg = (ansi: number, text: string) => `\u001b[38;5;${ansi}m${text}`;
const bg = (ansi: number) => `\u001b[48;5;${ansi}m`;
const RESET = '\u001b[0m';

/** Colours from the outcome table, or, without colour, allowed in blocks and refusals shaded. */
function painter(names: string[]): Paint {
  if (!color.isColorSupported) return (glyph, lower) => (lower === 0 || glyph === ' ' ? glyph : glyph === '█' ? '▒' : '░');
  const ansi = names.map((name) => outcomeColour(name).ansi);
  return (glyph, lower, upper) => `${upper === null ? '' : bg(ansi[upper] as number)}${fg(ansi[lower] as number, glyph)}${RESET}`;
}

function legend(s: Segments): string {
  const totals = s.values.map((values) => values.reduce((a, b) => a + b, 0));
  const shares = percentages(totals);
  return s.names
    .map((name, i) => {
      const mark = color.isColorSupported ? fg(outcomeColour(name).ansi, '■') + RESET : i === 0 ? '█' : '▒';
      return `${mark} ${name} ${totals[i]} (${shares[i]}%)`;
    })
    .join('  ');
}

/** Rows [label, count] with their shares of `total`, plus "(other)" for what the rows leave out. */
function shareRows(rows: [string, number][], total: number): string[][] {
  const shown = rows.reduce((a, [, n]) => a + n, 0);
  const all: [string, number][] = shown < total ? [...rows, ['(other)', total - shown]] : rows;
  const shares = percentages(all.map(([, n]) => n));
  return all.map(([label, n], i) => [label, String(n), `${shares[i]}%`]);
}

function countTable(heading: string, rows: [string, number][], total: number): string[] {
  return rows.length === 0 ? [] : ['', table([heading, 'CALLS', 'SHARE'], shareRows(rows, total))];
}

/** The series split by --group-by: the latest non-empty buckets, the biggest groups as columns. */
function seriesTable(u: UsageView): string[] {
  const groups = new Map<string, number>();
  for (const b of u.series) for (const [g, n] of Object.entries(b.groups)) groups.set(g, (groups.get(g) ?? 0) + n);
  const top = [...groups].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, SERIES_GROUPS);
  const others = groups.size > top.length;
  const buckets = u.series.filter((b) => b.total > 0);
  const rows = buckets.slice(-SERIES_ROWS).map((b) => {
    const cells = top.map(([g]) => b.groups[g] ?? 0);
    const rest = b.total - cells.reduce((a, c) => a + c, 0);
    return [when(b.start), ...cells.map(String), ...(others ? [String(rest)] : []), String(b.total)];
  });
  if (rows.length === 0) return [];
  // The series names calls without a route rule "(none)"; the route table, as above.
  const label = (g: string) => (u.groupBy === 'route' && g === '(none)' ? '(no route rule)' : g);
  const headers = [u.granularity.toUpperCase(), ...top.map(([g]) => label(g)), ...(others ? ['(other)'] : []), 'TOTAL'];
  const earlier = buckets.length - rows.length;
  return ['', color.bold(`By ${u.groupBy}`), table(headers, rows), ...(earlier > 0 ? [color.dim(`(${earlier} earlier buckets)`)] : [])];
}

function named(id: string, names: Names): string {
  return names.has(id) ? `${id} (${names.get(id)})` : id;
}

function subject(u: UsageView, names: Names, customerId?: string): string {
  if (customerId) return `customer ${named(customerId, names)}`;
  if (u.keyId) return `key ${named(u.keyId, names)}`;
  if (u.projectId) return `project ${named(u.projectId, names)}`;
  return 'the gateway';
}

/** The page's lines; `customerId` when the page is a customer's (the answer names its project). */
export function usageLines(u: UsageView, names: Names, columns: number, customerId?: string): string[] {
  const s = segmentsOf(u);
  const labels = { first: time(u.series[0]?.start ?? u.from), last: time(u.series.at(-1)?.start ?? u.to) };
  const lines = [
    color.bold(`Usage of ${subject(u, names, customerId)}`) + color.dim(` · by ${u.granularity} · ${time(u.from)} → ${time(u.to)}`),
    '',
    ...stackedChart(s.values, labels, columns - 12, painter(s.names)),
    ...(u.groupBy === 'outcome' && u.total > 0 ? [legend(s)] : []),
    '',
    `${color.bold('Total')}  ${u.total} call${u.total === 1 ? '' : 's'}`,
    ...seriesTable(u),
    ...countTable('OUTCOME', counts(u.byOutcome), u.total),
    ...countTable('STATUS', counts(u.byStatus), u.total),
    ...countTable(
      'ROUTE',
      u.topRoutes.map((r) => [r.route ?? '(no route rule)', r.count]),
      u.total,
    ),
  ];
  const denials = counts(u.denials);
  lines.push(
    ...countTable(
      'REFUSED BECAUSE',
      denials,
      denials.reduce((a, [, n]) => a + n, 0),
    ),
  );
  if (!u.keyId && u.topKeys.length > 0) {
    const rows = shareRows(
      u.topKeys.map((k) => [k.keyId, k.count]),
      u.total,
    ).map(([id, n, share]) => [id as string, names.get(id as string) ?? '', n as string, share as string]);
    lines.push('', table(['KEY', 'NAME', 'CALLS', 'SHARE'], rows));
  }
  return lines;
}
