// The admin API under /_keygate/v1: bearer ADMIN_TOKEN, no-store, no CORS (never callable from a
// browser page of another origin with the owner's token). Each resource file defines its routes
// with createRoute, so the OpenAPI document (openapi.ts) is generated from what is mounted here.

import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env';
import { adminAuth } from './auth';
import { keys } from './keys';
import { projects } from './projects';
import { customers } from './customers';
import { plans } from './plans';
import { credits } from './credits';
import { audit } from './audit';
import { webhooks } from './webhooks';
import { verifyTokens } from './verify-tokens';
import { verifiers } from '../verify/http';
import { usage } from './usage';
import { versionRoute } from './version';
import { traffic } from './traffic';
import { validationHook } from './validate';
import { ApiError } from '../errors/problems';
import { storageCounters } from '../bench-counters';

export const admin = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

admin.openAPIRegistry.registerComponent('securitySchemes', 'adminToken', {
  type: 'http',
  scheme: 'bearer',
  description: 'The ADMIN_TOKEN secret',
});
// Before the admin token's middleware, so that it never runs for them: the verifiers (POST /verify,
// Envoy's /ext-authz/*) answer with their own credential, a project's verify token (src/verify).
admin.route('/', verifiers);
admin.use('*', adminAuth());
admin.use('*', async (c, next) => {
  await next();
  c.res.headers.set('Cache-Control', 'no-store');
  c.res.headers.set('X-Content-Type-Options', 'nosniff');
});
// In the document's order. Each file's routes carry their full paths.
admin.route('/', projects);
admin.route('/', keys);
admin.route('/', customers);
admin.route('/', plans);
admin.route('/', credits);
admin.route('/', usage);
admin.route('/', traffic);
admin.route('/', audit);
admin.route('/', webhooks);
admin.route('/', versionRoute);
admin.route('/', verifyTokens);
// Not in the document: only served in bench mode.
admin.get('/bench/counters', (c) => {
  if (!c.get('config').benchMode) throw new ApiError('not-found');
  return c.json(storageCounters);
});
