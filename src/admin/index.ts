// The admin API under /_keygate/v1: bearer ADMIN_TOKEN, no-store, no CORS (never callable from a
// browser page of another origin with the owner's token).

import { Hono } from 'hono';
import type { AppEnv } from '../app-env';
import { adminAuth } from './auth';
import { keys, projectKeys } from './keys';
import { projects } from './projects';
import { audit } from './audit';
import { webhooks } from './webhooks';
import { gatewayUsage, keyUsage, projectUsage } from './usage';
import { ApiError } from '../errors/problems';
import { storageCounters } from '../bench-counters';

export const admin = new Hono<AppEnv>();

admin.use('*', adminAuth());
admin.use('*', async (c, next) => {
  await next();
  c.res.headers.set('Cache-Control', 'no-store');
  c.res.headers.set('X-Content-Type-Options', 'nosniff');
});
admin.route('/projects', projects);
admin.route('/projects', projectKeys);
admin.route('/projects', projectUsage);
admin.route('/keys', keys);
admin.route('/keys', keyUsage);
admin.route('/usage', gatewayUsage);
admin.route('/audit', audit);
admin.route('/webhooks', webhooks);
admin.get('/bench/counters', (c) => {
  if (!c.get('config').benchMode) throw new ApiError('not-found');
  return c.json(storageCounters);
});
