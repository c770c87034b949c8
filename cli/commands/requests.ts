// keygate requests <keyId> [--follow]: a key's recent calls, oldest first like a log; --follow
// polls every 2 s and prints the calls it has not printed yet (by request id) until Ctrl-C.

import { Command } from 'commander';
import { withClient, type Page, type RequestEntry } from '../api';
import type { Client } from '../client';
import { CliError, EXIT } from '../errors';
import { ago, color, errColor, out, time, visibleLength } from '../output';
import { durationSeconds, positiveInt } from '../parse';
import { ARG, examples } from '../help';

const MAX_SEEN = 5_000;
const FOLLOW_PAGES = 5;

function statusColor(status: number): (text: string) => string {
  return status >= 500 ? color.red : status >= 400 ? color.yellow : color.green;
}

const ROUTE_WIDTH = 28;

/** Fixed columns, so that the header and lines printed minutes apart stay aligned; the path is last. */
const COLUMNS: { header: string; width: number; right?: boolean; cell: (r: RequestEntry, now: number) => string }[] = [
  { header: 'AT', width: 20, cell: (r) => time(r.at) },
  { header: 'AGO', width: 9, cell: (r, now) => ago(r.at, now) },
  { header: 'METHOD', width: 6, cell: (r) => r.method },
  { header: 'STATUS', width: 6, cell: (r) => statusColor(r.status)(String(r.status)) },
  { header: 'LATENCY', width: 7, right: true, cell: (r) => `${r.latencyMs}ms` },
  { header: 'OUTCOME', width: 18, cell: (r) => r.outcome },
  { header: 'ROUTE', width: ROUTE_WIDTH, cell: (r) => clip(r.route ?? '—', ROUTE_WIDTH) },
  { header: 'CLIENT IP', width: 15, cell: (r) => r.clientIp },
  { header: 'REQUEST ID', width: 36, cell: (r) => color.dim(r.requestId) },
  { header: 'PATH', width: 0, cell: (r) => r.path },
];

function clip(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

function fixed(cells: string[]): string {
  return cells
    .map((cell, i) => {
      const column = COLUMNS[i];
      const fill = ' '.repeat(Math.max(0, (column?.width ?? 0) - visibleLength(cell)));
      return column?.right ? fill + cell : cell + fill;
    })
    .join('  ')
    .trimEnd();
}

export const REQUEST_HEADER = fixed(COLUMNS.map((c) => c.header));

/** One request as one line, under REQUEST_HEADER. */
export function requestLine(r: RequestEntry, now = Date.now()): string {
  return fixed(COLUMNS.map((c) => c.cell(r, now)));
}

function print(entries: RequestEntry[], asJson: boolean): void {
  for (const r of entries) out(asJson ? JSON.stringify(r) : requestLine(r));
}

/** The entries not seen yet, oldest first: pages until one holds a seen entry (or FOLLOW_PAGES). */
async function unseen(client: Client, path: string, seen: Set<string>): Promise<RequestEntry[]> {
  const fresh: RequestEntry[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < FOLLOW_PAGES; i++) {
    const page = await client.call<Page<RequestEntry>>('GET', path, { query: { limit: 100, cursor } });
    const news = page.items.filter((r) => !seen.has(r.requestId));
    fresh.push(...news);
    if (news.length < page.items.length || !page.nextCursor) break;
    cursor = page.nextCursor;
  }
  for (const r of fresh) seen.add(r.requestId);
  // A Set iterates in insertion order: drop the oldest ids first.
  for (const id of seen) {
    if (seen.size <= MAX_SEEN) break;
    seen.delete(id);
  }
  return fresh.reverse();
}

async function follow(client: Client, path: string, known: RequestEntry[], intervalMs: number, asJson: boolean): Promise<never> {
  const seen = new Set(known.map((r) => r.requestId));
  process.once('SIGINT', () => process.exit(0));
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    try {
      print(await unseen(client, path, seen), asJson);
    } catch (err) {
      // A blip while tailing is reported and retried; a refusal (401, 404) ends the command.
      if (!(err instanceof CliError) || err.exitCode !== EXIT.unreachable) throw err;
      process.stderr.write(`${errColor.yellow(err.message)} — retrying\n`);
    }
  }
}

export function requestsCommand(): Command {
  return examples(
    new Command('requests'),
    'keygate requests $KEY',
    'keygate requests $KEY --follow',
    'keygate requests $KEY --limit 100 --json | jq .items[].status',
  )
    .description("a key's recent requests (7 days), oldest first; --follow tails them")
    .argument('<keyId>', ARG.keyId)
    .option('--limit <n>', 'how many recent requests (1–100)', positiveInt, 20)
    .option('-f, --follow', 'keep printing new requests until Ctrl-C')
    .option('--interval <duration>', 'how often --follow asks', durationSeconds, 2)
    .action((keyId: string, opts: { limit: number; follow?: boolean; interval: number }, cmd: Command) =>
      withClient(cmd, async ({ client, json: asJson }) => {
        const path = `/keys/${encodeURIComponent(keyId)}/requests`;
        // Following: a full page marks what is already there as seen; only --limit of it is printed.
        const limit = opts.follow ? 100 : opts.limit;
        const page = await client.call<Page<RequestEntry>>('GET', path, { query: { limit } });
        if (asJson && !opts.follow) return out(JSON.stringify(page, null, 2));
        if (page.items.length === 0 && !opts.follow) return out('No requests in the last 7 days.');
        if (!asJson) out(color.dim(REQUEST_HEADER));
        print(page.items.slice(0, opts.limit).reverse(), asJson);
        if (opts.follow) await follow(client, path, page.items, Math.max(1, opts.interval) * 1000, asJson);
      }),
    );
}
