// The cron trigger: with webhooks on, asks the registry to queue key.expiring for keys 7 days and
// 1 day from expiry that have not been told yet. Without webhooks it does nothing.

import { log } from './log';
import { registry } from './objects/registry/client';
import { webhooksEnabled, type WebhookBindings } from './config/webhooks';

export async function onSchedule(env: Env & WebhookBindings, scheduledTime: number): Promise<void> {
  if (!webhooksEnabled(env)) return;
  try {
    const queued = await registry(env).noticeExpiring(scheduledTime);
    if (queued > 0) log('info', 'key.expiring notices queued', { count: queued });
  } catch (error) {
    // Notices and their events commit together, so a failed run leaves the keys for the next one.
    log('error', 'expiry notices failed', { error: String(error) });
  }
}
