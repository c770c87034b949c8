// Admin: the audit log, oldest first, with the result of re-verifying the whole hash chain.

import { Hono } from 'hono';
import type { AppEnv } from '../app-env';
import { registry } from '../objects/registry/client';
import { encodeCursor } from '../objects/page';
import { afterCursor } from './projects';
import { listQuery } from './schemas';
import { query } from './validate';

export const audit = new Hono<AppEnv>();

audit.get('/', async (c) => {
  const { limit, cursor } = query(c, listQuery);
  const page = await registry(c.env).listAudit(limit, afterCursor(cursor));
  return c.json({
    items: page.items.map((entry) => ({ ...entry, changes: JSON.parse(entry.changes) as unknown })),
    nextCursor: encodeCursor(page.nextAfter),
    chain: { verified: page.chain.brokenAt === null, entries: page.chain.entries, brokenAt: page.chain.brokenAt },
  });
});
