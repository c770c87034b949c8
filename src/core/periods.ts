// Quota periods in UTC: the key of the current day or month and when it ends. Pure.

export type Period = 'day' | 'month';

export function periodOf(period: Period, now: number): { key: string; startsAt: number; endsAt: number } {
  const d = new Date(now);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  if (period === 'month') {
    return { key: `${y}-${String(m + 1).padStart(2, '0')}`, startsAt: Date.UTC(y, m, 1), endsAt: Date.UTC(y, m + 1, 1) };
  }
  const day = d.getUTCDate();
  const key = `${y}-${String(m + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  return { key, startsAt: Date.UTC(y, m, day), endsAt: Date.UTC(y, m, day + 1) };
}
