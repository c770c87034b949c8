// Admin: the audit log, oldest first, with the result of re-verifying the whole hash chain.

import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env';
import { registry } from '../objects/registry/client';
import { encodeCursor } from '../objects/page';
import { AuditPage } from './responses';
import { adminRoute, json } from './route';
import { listQuery } from './schemas';
import { afterCursor } from './validate';

export const audit = new OpenAPIHono<AppEnv>();

audit.openapi(
  adminRoute(
    {
      method: 'get',
      path: '/audit',
      summary: 'The audit log, oldest first, with the verification of its hash chain',
      request: { query: listQuery },
      responses: { 200: json(AuditPage, 'A page of audit entries') },
    },
    [400],
  ),
  async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const page = await registry(c.env).listAudit(limit, afterCursor(cursor));
    return c.json(
      {
        items: page.items.map((entry) => ({ ...entry, changes: JSON.parse(entry.changes) as Record<string, unknown> })),
        nextCursor: encodeCursor(page.nextAfter),
        chain: { verified: page.chain.brokenAt === null, entries: page.chain.entries, brokenAt: page.chain.brokenAt },
      },
      200,
    );
  },
);
