// keygate usage [--key id | --project id]: calls over time as a terminal chart, then totals by
// outcome, status class and route (and refusals, top keys) — of a key, a project or the gateway.

import { Command, Option } from 'commander';
import { withClient, type UsageView } from '../api';
import { barChart } from '../chart';
import { usageError } from '../errors';
import { color, counts, json, out, table, time } from '../output';
import { pastTime } from '../parse';
import { examples } from '../help';

interface UsageOptions {
  key?: string;
  project?: string;
  from?: string;
  to?: string;
  granularity: string;
  groupBy: string;
}

function share(count: number, total: number): string {
  return total === 0 ? '—' : `${Math.round((count / total) * 100)}%`;
}

function countTable(heading: string, record: Record<string, number>, total: number): void {
  const rows = counts(record).map(([name, n]) => [name, String(n), share(n, total)]);
  if (rows.length === 0) return;
  out();
  out(table([heading, 'CALLS', 'SHARE'], rows));
}

function subject(u: UsageView): string {
  if (u.keyId) return `key ${u.keyId}`;
  if (u.projectId) return `project ${u.projectId}`;
  return 'the gateway';
}

export function showUsage(u: UsageView, columns = process.stdout.columns ?? 80): void {
  out(color.bold(`Usage of ${subject(u)}`) + color.dim(` · by ${u.granularity} · ${time(u.from)} → ${time(u.to)}`));
  out();
  const values = u.series.map((b) => b.total);
  const labels = { first: time(u.series[0]?.start ?? u.from), last: time(u.series.at(-1)?.start ?? u.to) };
  for (const row of barChart(values, labels, columns - 12)) out(row);
  out();
  out(`${color.bold('Total')}  ${u.total} call${u.total === 1 ? '' : 's'}`);
  countTable('OUTCOME', u.byOutcome, u.total);
  countTable('STATUS', u.byStatus, u.total);
  const routes = u.topRoutes.map((r) => [r.route ?? '(no route rule)', String(r.count), share(r.count, u.total)]);
  if (routes.length > 0) {
    out();
    out(table(['ROUTE', 'CALLS', 'SHARE'], routes));
  }
  countTable('REFUSED BECAUSE', u.denials, u.total);
  if (!u.keyId && u.topKeys.length > 0) {
    out();
    out(
      table(
        ['KEY', 'CALLS', 'SHARE'],
        u.topKeys.map((k) => [k.keyId, String(k.count), share(k.count, u.total)]),
      ),
    );
  }
}

export function usageCommand(): Command {
  return examples(
    new Command('usage'),
    'keygate usage',
    'keygate usage --project $PROJECT --from 7d --granularity day',
    'keygate usage --key $KEY --granularity minute --group-by route',
  )
    .description("calls over time and totals by outcome and route: a key's, a project's, or the whole gateway's")
    .option('--key <keyId>', 'the usage of one key')
    .option('--project <projectId>', 'the usage of one project')
    .option('--from <when>', 'start: an ISO 8601 time or a duration ago (2h, 7d); default one span before --to', pastTime)
    .option('--to <when>', 'end: an ISO 8601 time or a duration ago; default now', pastTime)
    .addOption(new Option('--granularity <unit>', 'bucket size').choices(['minute', 'hour', 'day']).default('hour'))
    .addOption(
      new Option('--group-by <dimension>', 'what the series is split by (in --json)')
        .choices(['route', 'status', 'outcome'])
        .default('outcome'),
    )
    .action((opts: UsageOptions, cmd: Command) =>
      withClient(cmd, async ({ client, json: asJson }) => {
        if (opts.key && opts.project) throw usageError('give --key or --project, not both');
        const path = opts.key
          ? `/keys/${encodeURIComponent(opts.key)}/usage`
          : opts.project
            ? `/projects/${encodeURIComponent(opts.project)}/usage`
            : '/usage';
        const query = { from: opts.from, to: opts.to, granularity: opts.granularity, groupBy: opts.groupBy };
        const usage = await client.call<UsageView>('GET', path, { query });
        if (asJson) json(usage);
        else showUsage(usage);
      }),
    );
}
