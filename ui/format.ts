// How the dashboard writes times and limits: UTC, to the second, the same for every viewer.

import type { Key } from './types';

export function time(iso: string | null, never = 'never'): string {
  if (!iso) return never;
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

export function limits(key: Key): string {
  const parts = key.rateLimits.map((r) => `${r.limit}/${r.windowSeconds}s`);
  if (key.quota) parts.push(`quota ${key.quota.remaining}/${key.quota.limit} per ${key.quota.period}`);
  return parts.length ? parts.join(', ') : 'none';
}

/** A bucket's label on the time axis: minutes and hours as HH:MM, days as the date. */
export function bucket(iso: string, granularity: 'minute' | 'hour' | 'day'): string {
  return granularity === 'day' ? iso.slice(0, 10) : iso.slice(11, 16);
}
