// How the dashboard writes times and limits: UTC, to the second, the same for every viewer.

import type { Key } from './types';

export function time(iso: string | null, never = 'never'): string {
  if (!iso) return never;
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

interface Limited {
  rateLimits: Key['rateLimits'];
  quota: { limit: number; period: string; remaining?: number } | null;
  credits: { initial: number; balance?: number } | null;
}

/** Rate limits, quota (with what is left, where known) and credits, in one line. */
export function limits(holder: Limited): string {
  const parts = holder.rateLimits.map((r) => `${r.limit}/${r.windowSeconds}s${r.routes ? ` on ${r.routes.join(', ')}` : ''}`);
  const q = holder.quota;
  if (q) parts.push(q.remaining === undefined ? `quota ${q.limit} per ${q.period}` : `quota ${q.remaining}/${q.limit} per ${q.period}`);
  const c = holder.credits;
  if (c) parts.push(c.balance === undefined ? `credits ${c.initial}` : `credits ${c.balance} left`);
  return parts.length ? parts.join(', ') : 'none';
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function day(iso: string): string {
  return `${MONTHS[Number(iso.slice(5, 7)) - 1] ?? ''} ${Number(iso.slice(8, 10))}`;
}

/**
 * Labels for the buckets of a time axis, UTC: minutes and hours as HH:MM, with the day on the first
 * bucket and at each midnight (so a 24 h axis reads "Dec 1 19:00 … Dec 2 19:00", not 19:00…19:00);
 * days as "Dec 2".
 */
export function bucketLabels(starts: string[], granularity: 'minute' | 'hour' | 'day'): string[] {
  if (granularity === 'day') return starts.map(day);
  return starts.map((iso, i) => {
    const hhmm = iso.slice(11, 16);
    return i === 0 || hhmm === '00:00' ? `${day(iso)} ${hhmm}` : hhmm;
  });
}
