// A bar chart of a usage series for the terminal: one column per bucket (buckets summed together
// when there are more than the width allows), heights in eighths of a row, the peak on the axis.
// A column can be a stack of segments (allowed at the bottom, then each refusal's outcome): each
// cell shows the segment at its bottom, and where a segment ends inside the cell, the next one as
// its background, so a boundary keeps its eighth-of-a-row precision in colour.

const EIGHTHS = ' ▁▂▃▄▅▆▇█';

/** Sums neighbouring values so that at most `width` remain. */
export function fit(values: number[], width: number): number[] {
  if (values.length <= width) return values;
  const per = Math.ceil(values.length / width);
  const out: number[] = [];
  for (let i = 0; i < values.length; i += per) out.push(values.slice(i, i + per).reduce((a, b) => a + b, 0));
  return out;
}

/**
 * Draws a glyph for a cell: `lower` is the index of the segment at the cell's bottom, `upper` the
 * one that fills the rest of it (null: nothing, the column ends in this cell).
 */
export type Paint = (glyph: string, lower: number, upper: number | null) => string;

const plain: Paint = (glyph) => glyph;

/** Each segment's top, in eighths of a row, cumulative; a non-zero column shows at least ▁ of its first segment. */
function tops(stack: number[], peak: number, height: number): number[] {
  let sum = 0;
  const first = stack.findIndex((value) => value > 0);
  return stack.map((value, i) => {
    sum += value;
    const top = peak === 0 ? 0 : Math.round((sum / peak) * height * 8);
    return first !== -1 && i >= first ? Math.max(1, top) : top;
  });
}

/** The glyph of one column in one row (row 0 is the bottom). */
function cell(segmentTops: number[], row: number, paint: Paint): string {
  const bottom = row * 8;
  const lower = segmentTops.findIndex((top) => top > bottom);
  if (lower === -1) return ' ';
  const top = segmentTops[lower] as number;
  if (top >= bottom + 8) return paint(EIGHTHS[8] as string, lower, null);
  const upper = segmentTops.findIndex((t, i) => i > lower && t > top);
  return paint(EIGHTHS[top - bottom] as string, lower, upper === -1 ? null : upper);
}

/**
 * Rows of a stacked chart, top first, with the y axis (peak and 0) on the left and the first and
 * last labels under it. `segments[s][i]` is segment s of bucket i.
 */
export function stackedChart(
  segments: number[][],
  labels: { first: string; last: string },
  width: number,
  paint: Paint = plain,
  height = 6,
): string[] {
  const fitted = segments.map((values) => fit(values, Math.max(10, width)));
  const count = fitted[0]?.length ?? 0;
  const stacks = Array.from({ length: count }, (_, i) => fitted.map((values) => values[i] ?? 0));
  const peak = Math.max(0, ...stacks.map((stack) => stack.reduce((a, b) => a + b, 0)));
  const columns = stacks.map((stack) => tops(stack, peak, height));
  const axis = String(peak).length;
  const rows: string[] = [];
  for (let row = height - 1; row >= 0; row--) {
    const label = row === height - 1 ? String(peak) : row === 0 ? '0' : '';
    const bars = peak === 0 ? '' : columns.map((segmentTops) => cell(segmentTops, row, paint)).join('');
    rows.push(`${label.padStart(axis)} ┤${bars}`.trimEnd());
  }
  const span = Math.max(count, labels.first.length + labels.last.length + 2);
  rows.push(`${' '.repeat(axis)} └${'─'.repeat(count)}`);
  rows.push(`${' '.repeat(axis + 2)}${labels.first}${labels.last.padStart(span - labels.first.length)}`);
  return rows;
}

/** Rows of a chart of one series. */
export function barChart(values: number[], labels: { first: string; last: string }, width: number, height = 6): string[] {
  return stackedChart([values], labels, width, plain, height);
}
