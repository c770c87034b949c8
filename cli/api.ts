// What the admin API answers, typed from the same zod schemas the Worker answers with (type-only
// imports: nothing of the Worker is bundled into the CLI), plus the shared command plumbing.

import type { Command } from 'commander';
import type { z } from 'zod';
import type { AuditPage, Key, KeyCreated, Page, Project, RequestLogEntry, Usage } from '../src/admin/responses';
import { createClient, type Client, type Query } from './client';
import { resolveConnection, type GlobalOptions } from './connection';
import { positiveInt } from './parse';

export type ProjectView = z.infer<typeof Project>;
export type KeyView = z.infer<typeof Key>;
export type KeyCreatedView = z.infer<typeof KeyCreated>;
export type UsageView = z.infer<typeof Usage>;
export type RequestEntry = z.infer<typeof RequestLogEntry>;
export type AuditView = z.infer<typeof AuditPage>;

export type { Page };

export interface Context {
  client: Client;
  /** --json: print the API's JSON as it came. */
  json: boolean;
}

/** Runs a command with a client for the resolved connection, closed afterwards. */
export async function withClient(cmd: Command, fn: (ctx: Context) => Promise<void>): Promise<void> {
  const opts = cmd.optsWithGlobals<GlobalOptions>();
  const client = createClient(resolveConnection(opts));
  try {
    await fn({ client, json: opts.json === true });
  } finally {
    await client.close();
  }
}

export interface PageOptions {
  limit?: number;
  cursor?: string;
  all?: boolean;
}

/** One page (limit, cursor), or with --all every page from the cursor on, as one (the last page's other fields kept). */
export async function fetchPages<P extends Page<unknown>>(client: Client, path: string, opts: PageOptions, query: Query = {}): Promise<P> {
  const get = (limit: number | undefined, cursor: string | undefined) =>
    client.call<P>('GET', path, { query: { ...query, limit, cursor } });
  const first = await get(opts.all ? 100 : opts.limit, opts.cursor);
  if (!opts.all) return first;
  const items = [...first.items];
  let last = first;
  while (last.nextCursor) {
    last = await get(100, last.nextCursor);
    items.push(...last.items);
  }
  return { ...last, items, nextCursor: null };
}

/** The --limit/--cursor/--all options of a list command. */
export function pageOptions(cmd: Command, what: string): Command {
  return cmd
    .option('--limit <n>', `${what} per page (1–100, default 20)`, positiveInt)
    .option('--cursor <cursor>', 'start after this cursor (printed under a page that has more)')
    .option('--all', 'fetch every page');
}
