// Admin: which keygate answers — its version (package.json's), so `keygate whoami` can show the
// server's version beside the CLI's own and an owner can tell a deploy is the one they expect.

import { OpenAPIHono } from '@hono/zod-openapi';
import { version } from '../../package.json';
import type { AppEnv } from '../app-env';
import { Version } from './responses';
import { adminRoute, json } from './route';

export const versionRoute = new OpenAPIHono<AppEnv>();

versionRoute.openapi(
  adminRoute(
    {
      method: 'get',
      path: '/version',
      summary: 'The version of this keygate',
      responses: { 200: json(Version, 'Its version') },
    },
    [],
  ),
  (c) => c.json({ version }, 200),
);
