// quota.low (90 % used) and quota.exhausted (100 % used, or a call refused for the quota): each
// once per meter and quota period — customer.quota.low / customer.quota.exhausted for a customer's
// shared quota (named by the customer, with the key whose call crossed the line), remembered in the KeyLimiter's `quota_notices` (created by its
// migrations, src/objects/limiter/schema.ts). Pure SQL, no I/O, so the limit decision it follows
// stays synchronous.

import type { Quota } from '../core/key-record';
import type { WebhookEventType } from './events';

export const LOW_SHARE = 0.9;

export interface QuotaState {
  key: { id: string; projectId: string; customerId?: string | null };
  quota: Quota;
  periodKey: string;
  periodEndsAt: number;
  used: number;
  refused: boolean;
}

/** The events this state calls for that were not sent yet in this period (now marked sent). */
export function takeQuotaNotices(sql: SqlStorage, s: QuotaState, now: number): { type: WebhookEventType; data: Record<string, unknown> }[] {
  const due: WebhookEventType[] = [];
  const customerId = s.key.customerId ?? null;
  if (s.used >= s.quota.limit * LOW_SHARE) due.push(customerId === null ? 'quota.low' : 'customer.quota.low');
  if (s.used >= s.quota.limit || s.refused) due.push(customerId === null ? 'quota.exhausted' : 'customer.quota.exhausted');
  const events = [];
  for (const type of due) {
    const fresh = sql.exec(
      `INSERT INTO quota_notices (period_key, kind, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING 1`,
      s.periodKey,
      type,
      now,
    );
    if (fresh.toArray().length === 0) continue;
    events.push({
      type,
      data: {
        ...(customerId === null ? {} : { customerId }),
        keyId: s.key.id,
        projectId: s.key.projectId,
        period: s.quota.period,
        periodKey: s.periodKey,
        limit: s.quota.limit,
        used: Math.min(s.used, s.quota.limit),
        resetsAt: new Date(s.periodEndsAt).toISOString(),
      },
    });
  }
  if (events.length > 0) sql.exec(`DELETE FROM quota_notices WHERE at < ?`, now - 62 * 86_400_000);
  return events;
}
