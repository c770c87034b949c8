// The limit options customers, plans and keys share (--rate-limit, --quota, --credits, --refill),
// the request body they make, and how a holder's limits look in the terminal.

import type { Command } from 'commander';
import { usageError } from './errors';
import { list } from './output';
import { nonNegativeInt, quota, rateLimit, refill, type RateLimit, type Refill } from './parse';

export interface LimitOptions {
  rateLimit?: RateLimit[];
  rateLimits?: boolean;
  quota?: { limit: number; period: 'day' | 'month' } | false;
  credits?: number | false;
  refill?: Refill;
}

/** The options that set limits; `clearing` adds --no-rate-limits, --no-quota and --no-credits (updates). */
export function limitOptions(cmd: Command, clearing = false): Command {
  cmd
    .option('--rate-limit <name=limit/window>', 'a sliding window, e.g. burst=100/10s (repeatable, up to 5)', rateLimit)
    .option('--quota <limit/period>', 'a quota, e.g. 1000/day or 50000/month', quota)
    .option('--credits <n>', 'a credit balance, starting at n (each call spends its route rule’s cost)', nonNegativeInt)
    .option(
      '--refill <to|by:amount/period>',
      'refill the credits each UTC day or month: to:1000/month or by:100/day (with --credits)',
      refill,
    );
  if (clearing)
    cmd
      .option('--no-rate-limits', 'remove every rate limit')
      .option('--no-quota', 'remove the quota')
      .option('--no-credits', 'remove the credits');
  return cmd;
}

/** The limit fields of a request body: only what was given (false clears a field). */
export function limitBody(opts: LimitOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (opts.rateLimit) body.rateLimits = opts.rateLimit;
  else if (opts.rateLimits === false) body.rateLimits = [];
  if (opts.quota !== undefined) body.quota = opts.quota === false ? null : opts.quota;
  if (opts.refill !== undefined && typeof opts.credits !== 'number') throw usageError('--refill needs --credits');
  if (opts.credits !== undefined) body.credits = opts.credits === false ? null : { initial: opts.credits, refill: opts.refill ?? null };
  return body;
}

type Limits = {
  rateLimits: { name: string; limit: number; windowSeconds: number; routes?: string[] | undefined }[];
  quota: { limit: number; period: string; remaining?: number } | null;
  credits: { initial: number; refill: Refill | null; balance?: number } | null;
};

/** Rate limits, quota and credits as three field rows. */
export function limitRows(l: Limits): [string, string][] {
  const windows = l.rateLimits.map((r) => `${r.name} ${r.limit}/${r.windowSeconds}s${r.routes ? ` (${r.routes.join(', ')})` : ''}`);
  const q = l.quota;
  const c = l.credits;
  const refillText = c?.refill ? `, refilled ${c.refill.mode} ${c.refill.amount} each ${c.refill.period}` : '';
  return [
    ['rate limits', list(windows)],
    ['quota', q ? (q.remaining === undefined ? `${q.limit}/${q.period}` : `${q.remaining} of ${q.limit} left this ${q.period}`) : '—'],
    ['credits', c ? `${c.balance === undefined ? `starts at ${c.initial}` : `${c.balance} left`}${refillText}` : '—'],
  ];
}
