// A bar chart of a usage series for the terminal: one column per bucket (buckets summed together
// when there are more than the width allows), heights in eighths of a row, the peak on the axis.

const EIGHTHS = ' ▁▂▃▄▅▆▇█';

/** Sums neighbouring values so that at most `width` remain. */
export function fit(values: number[], width: number): number[] {
  if (values.length <= width) return values;
  const per = Math.ceil(values.length / width);
  const out: number[] = [];
  for (let i = 0; i < values.length; i += per) out.push(values.slice(i, i + per).reduce((a, b) => a + b, 0));
  return out;
}

/** The glyph of one column in one row (row 0 is the bottom); any non-zero value shows at least ▁. */
function cell(value: number, peak: number, row: number, height: number): string {
  if (value === 0) return ' ';
  const eighths = Math.max(1, Math.round((value / peak) * height * 8));
  const inRow = Math.min(8, Math.max(0, eighths - row * 8));
  return EIGHTHS[inRow] as string;
}

/**
 * Rows of the chart, top first, with the y axis (peak and 0) on the left and the first and last
 * labels under it.
 */
export function barChart(values: number[], labels: { first: string; last: string }, width: number, height = 6): string[] {
  const columns = fit(values, Math.max(10, width));
  const peak = Math.max(0, ...columns);
  const axis = String(peak).length;
  const rows: string[] = [];
  for (let row = height - 1; row >= 0; row--) {
    const label = row === height - 1 ? String(peak) : row === 0 ? '0' : '';
    const bars = peak === 0 ? '' : columns.map((v) => cell(v, peak, row, height)).join('');
    rows.push(`${label.padStart(axis)} ┤${bars}`.trimEnd());
  }
  const span = Math.max(columns.length, labels.first.length + labels.last.length + 2);
  rows.push(`${' '.repeat(axis)} └${'─'.repeat(columns.length)}`);
  rows.push(`${' '.repeat(axis + 2)}${labels.first}${labels.last.padStart(span - labels.first.length)}`);
  return rows;
}
