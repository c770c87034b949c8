// Option values, parsed where commander reads them: a bad value is commander's "invalid argument"
// (exit 2) before any call is made.

import { InvalidArgumentError } from 'commander';
import { RESERVED_MESSAGE, RESERVED_NAMES } from '../src/admin/reserved-names';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** "90", "90s", "15m", "2h", "7d" ⇒ seconds. */
export function durationSeconds(value: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('expected a duration such as 90s, 15m, 2h or 7d');
  return Number(match[1]) * (UNIT_SECONDS[match[2] || 's'] as number);
}

export function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('expected a positive whole number');
  return Number(value);
}

/** An ISO 8601 time, or a duration counted from now: "30d" ⇒ 30 days from now. */
export function futureTime(value: string): string {
  return timeFrom(value, +1);
}

/** An ISO 8601 time, or a duration counted back from now: "2h" ⇒ 2 hours ago. */
export function pastTime(value: string): string {
  return timeFrom(value, -1);
}

function timeFrom(value: string, sign: 1 | -1): string {
  if (/^\d+[smhd]$/.test(value.trim())) return new Date(Date.now() + sign * durationSeconds(value) * 1000).toISOString();
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}/.test(value))
    throw new InvalidArgumentError('expected an ISO 8601 time or a duration (2h, 7d)');
  return new Date(ms).toISOString();
}

export interface RateLimit {
  name: string;
  limit: number;
  windowSeconds: number;
}

/** "burst=100/10s" ⇒ {name: "burst", limit: 100, windowSeconds: 10}; repeatable. */
export function rateLimit(value: string, previous: RateLimit[] = []): RateLimit[] {
  const match = /^([^=]+)=(\d+)\/(\w+)$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('expected NAME=LIMIT/WINDOW, e.g. burst=100/10s or hourly=1000/1h');
  return [...previous, { name: match[1] as string, limit: Number(match[2]), windowSeconds: durationSeconds(match[3] as string) }];
}

/** "1000/day" or "50000/month". */
export function quota(value: string): { limit: number; period: 'day' | 'month' } {
  const match = /^(\d+)\/(day|month)$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('expected LIMIT/day or LIMIT/month, e.g. 1000/day');
  return { limit: Number(match[1]), period: match[2] as 'day' | 'month' };
}

/** "team=billing"; repeatable, into one object. The server's reserved names are refused here already. */
export function metadata(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = value.indexOf('=');
  if (at < 1) throw new InvalidArgumentError('expected KEY=VALUE');
  const name = value.slice(0, at);
  if (RESERVED_NAMES.includes(name)) throw new InvalidArgumentError(`${name}: ${RESERVED_MESSAGE}`);
  // A computed key is an own property even for odd names (no prototype setter runs).
  return { ...previous, [name]: value.slice(at + 1) };
}

/** A repeatable plain value. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export interface Refill {
  period: 'day' | 'month';
  mode: 'to' | 'by';
  amount: number;
}

/** "to:1000/month" (the balance becomes 1000 each month) or "by:100/day" (100 added each day). */
export function refill(value: string): Refill {
  const match = /^(to|by):(\d+)\/(day|month)$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('expected to:AMOUNT/PERIOD or by:AMOUNT/PERIOD, e.g. to:1000/month or by:100/day');
  return { mode: match[1] as Refill['mode'], amount: Number(match[2]), period: match[3] as Refill['period'] };
}

/** A whole number ≥ 0 (a credit balance). */
export function nonNegativeInt(value: string): number {
  if (!/^\d{1,10}$/.test(value.trim())) throw new InvalidArgumentError('expected a whole number ≥ 0');
  return Number(value);
}

/** A whole number, possibly negative (a credit adjustment). */
export function integer(value: string): number {
  if (!/^-?\d{1,10}$/.test(value.trim())) throw new InvalidArgumentError('expected a whole number');
  return Number(value);
}
