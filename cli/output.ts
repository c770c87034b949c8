// Human output: aligned tables, "label  value" blocks and colors (picocolors), on only for a
// terminal and never with NO_COLOR set (https://no-color.org). --json bypasses all of this.

import { createColors } from 'picocolors';

type Colors = ReturnType<typeof createColors>;

/** Colors for a stream: FORCE_COLOR forces them, NO_COLOR or a non-terminal turns them off. */
export function colorsFor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): Colors {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  const force = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0';
  return createColors(!noColor && (force || (stream.isTTY === true && env.TERM !== 'dumb')));
}

export const color = colorsFor(process.stdout);
export const errColor = colorsFor(process.stderr);

const ANSI = /\u001b\[[0-9;]*m/g;

export function visibleLength(text: string): number {
  return [...text.replace(ANSI, '')].length;
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visibleLength(text)));
}

/** Columns separated by two spaces, headers dimmed; cells are printed as given. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(visibleLength(h), ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : pad(cell, widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [color.dim(line(headers)), ...rows.map(line)].join('\n');
}

/** "label  value" lines, labels aligned. */
export function fields(pairs: [label: string, value: string][]): string {
  const width = Math.max(...pairs.map(([label]) => label.length));
  return pairs.map(([label, value]) => `${color.dim(pad(label, width))}  ${value}`).join('\n');
}

let quietMode = false;

/** -q, --quiet (a global flag, set before any command runs): `out` prints nothing, `essential` still does. */
export function setQuiet(on: boolean): void {
  quietMode = on;
}

export function quiet(): boolean {
  return quietMode;
}

/** A line of human output; -q silences it. */
export function out(text = ''): void {
  if (!quietMode) process.stdout.write(`${text}\n`);
}

/** What a script reads, printed even with -q: an id, a key. */
export function essential(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** With -q, a list is its ids, one per line. */
export function essentialIds(items: { id: string }[]): void {
  for (const item of items) essential(item.id);
}

/** --json output: asked for explicitly, so -q does not silence it. */
export function json(value: unknown): void {
  essential(JSON.stringify(value, null, 2));
}

/** An ISO time as "2026-11-28 03:40:01Z", or "—". */
export function time(iso: string | null | undefined): string {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—';
}

export function list(values: string[] | null | undefined): string {
  return values && values.length > 0 ? values.join(', ') : '—';
}

export function counts(record: Record<string, number>): [string, number][] {
  return Object.entries(record).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** The hint printed under a page that has more. */
export function morePages(nextCursor: string | null): void {
  if (nextCursor) out(color.dim(`more: --cursor ${nextCursor} (or --all)`));
}

const AGO_UNITS: [seconds: number, unit: string][] = [
  [86_400, 'd'],
  [3_600, 'h'],
  [60, 'm'],
  [1, 's'],
];

/** How long ago (or, for a time to come, in how long): "3m ago", "in 2d", "just now". */
export function ago(iso: string, now = Date.now()): string {
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 5) return 'just now';
  const [size, unit] = AGO_UNITS.find(([s]) => abs >= s) ?? [1, 's'];
  const amount = `${Math.floor(abs / size)}${unit}`;
  return seconds > 0 ? `${amount} ago` : `in ${amount}`;
}

/** An absolute time with the relative one beside it: "2026-11-28 03:40:01Z (3m ago)", or "—". */
export function when(iso: string | null | undefined, now = Date.now()): string {
  return iso ? `${time(iso)} ${color.dim(`(${ago(iso, now)})`)}` : '—';
}

/**
 * Whole percentages of `counts` that add up to exactly 100 (largest remainder): each share is
 * rounded down, then the points left go to the largest remainders.
 */
export function percentages(counts: number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return counts.map(() => 0);
  const exact = counts.map((n) => (n / total) * 100);
  const shares = exact.map(Math.floor);
  const left = 100 - shares.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order.slice(0, left)) shares[i] = (shares[i] as number) + 1;
  return shares;
}
