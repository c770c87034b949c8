// What the admin API adds to a holder's limits that only its limiter knows — the quota's exact
// `remaining` and the credit balance — and the checks of limits that need the configuration (a
// window's route rules must be rules of ROUTES). Changes that reach keys are applied to this
// isolate's view at once; other isolates learn them from the feed.

import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import type { Credits, Quota, RateLimit } from '../core/key-record';
import type { CustomerView, KeyView, RegistryCustomerView, RegistryKeyView } from '../core/admin-views';
import { applyEdgeRecord } from '../edge/verify-key';
import { returnMeterLeases } from '../edge/lease-holder';
import { forgetMeter } from '../edge/memory/limit-refusals';
import { limiter } from '../objects/limiter/client';
import type { KeyChanged } from '../objects/registry/types';
import type { HolderRefusal } from '../objects/registry/holders';
import { invalid } from './validate';

type Readings = { remaining: number | null; balance: number | null };

/** The meter's exact quota remaining and credit balance (after this isolate hands back its leases on it). */
export async function readMeter(env: AppEnv['Bindings'], meter: string, quota: Quota | null, credits: Credits | null): Promise<Readings> {
  if (quota === null && credits === null) return { remaining: null, balance: null };
  await returnMeterLeases(env, meter);
  const stub = limiter(env, meter);
  const now = Date.now();
  const [remaining, balance] = await Promise.all([
    quota === null ? null : stub.quotaRemaining({ limit: quota.limit, period: quota.period }, now),
    credits === null ? null : stub.creditBalance(credits, now),
  ]);
  return { remaining, balance };
}

function withQuota<Q extends Quota>(quota: Q | null, remaining: number | null): (Q & { remaining: number }) | null {
  return quota === null ? null : { ...quota, remaining: remaining ?? quota.limit };
}

function withBalance<C extends Credits>(credits: C | null, balance: number | null): (C & { balance: number }) | null {
  return credits === null ? null : { ...credits, balance: balance ?? credits.initial };
}

type Effective = { rateLimits: RateLimit[]; quota: Quota | null; credits: Credits | null };

/** A holder's own and effective quota and credits, each with what its meter reads. */
function withReadings(own: { quota: Quota | null; credits: Credits | null }, effective: Effective, read: Readings) {
  return {
    quota: withQuota(own.quota, read.remaining),
    credits: withBalance(own.credits, read.balance),
    effective: {
      rateLimits: effective.rateLimits,
      quota: withQuota(effective.quota, read.remaining),
      credits: withBalance(effective.credits, read.balance),
    },
  };
}

/** The key as the API shows it: own and effective quota with `remaining`, credits with `balance`; the meter left out. */
export async function keyWithReadings(c: Context<AppEnv>, view: RegistryKeyView, fresh = false): Promise<KeyView> {
  const { meter, effective, ...rest } = view;
  const read = fresh ? { remaining: null, balance: null } : await readMeter(c.env, meter, effective.quota, effective.credits);
  // The key's own limits are the effective ones where set (a key of a customer has none).
  return { ...rest, ...withReadings(view, effective, read) };
}

/** The customer as the API shows it; its own quota and credits read from its limiter (they are its effective ones when set). */
export async function customerWithReadings(c: Context<AppEnv>, view: RegistryCustomerView): Promise<CustomerView> {
  const read = await readMeter(c.env, view.id, view.effective.quota, view.effective.credits);
  return { ...view, ...withReadings(view, view.effective, read) };
}

/** Applies changed keys to this isolate's view (the next request here already sees them). */
export function applyChanged(changed: readonly KeyChanged[], now = Date.now()): void {
  for (const { hash, record } of changed) {
    applyEdgeRecord(hash, record, now, now);
    forgetMeter(record.meter);
  }
}

/** 400 unless every route a window names is a rule of ROUTES. */
export function checkRoutes(c: Context<AppEnv>, rateLimits: readonly RateLimit[] | undefined, field = 'rateLimits'): void {
  const names = new Set((c.get('config').routes ?? []).map((r) => r.name));
  rateLimits?.forEach((limit, i) =>
    limit.routes?.forEach((route, j) => {
      if (!names.has(route)) throw invalid(`${field}.${i}.routes.${j}`, `no route rule of ROUTES is named "${route}"`);
    }),
  );
}

/** A registry refusal of a customer or plan as the 400 naming its field. */
export function refused<T extends object>(value: T): Exclude<T, HolderRefusal> {
  const refusal = value as Partial<HolderRefusal>;
  if (typeof refusal.field === 'string' && typeof refusal.message === 'string') throw invalid(refusal.field, refusal.message);
  return value as Exclude<T, HolderRefusal>;
}
