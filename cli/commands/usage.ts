// keygate usage [--key id | --project id | --customer id]: the usage of a key, a project, a customer
// (all its keys) or the gateway, drawn by
// usage-view.ts; the keys and the project it names are looked up here.

import { Command, Option } from 'commander';
import { withClient, type UsageView } from '../api';
import type { Client } from '../client';
import { CliError, EXIT, usageError } from '../errors';
import { json, out } from '../output';
import { usageLines } from '../usage-view';
import { pastTime } from '../parse';
import { examples } from '../help';

interface UsageOptions {
  key?: string;
  project?: string;
  customer?: string;
  from?: string;
  to?: string;
  granularity: string;
  groupBy: string;
}

/**
 * The names of the keys and the project the page shows: one call each (at most 12, at once); one
 * that is gone is left unnamed.
 */
async function names(client: Client, u: UsageView, customerId?: string): Promise<Map<string, string>> {
  const keys = [...new Set([...(u.keyId ? [u.keyId] : []), ...u.topKeys.map((k) => k.keyId)])];
  const paths = [
    ...keys.map((id) => `/keys/${encodeURIComponent(id)}`),
    ...(u.projectId ? [`/projects/${encodeURIComponent(u.projectId)}`] : []),
    ...(customerId ? [`/customers/${encodeURIComponent(customerId)}`] : []),
  ];
  const named = await Promise.all(
    paths.map(async (path) => {
      try {
        const { id, name } = await client.call<{ id: string; name: string }>('GET', path);
        return [id, name] as const;
      } catch (err) {
        if (err instanceof CliError && err.exitCode === EXIT.refused) return null;
        throw err;
      }
    }),
  );
  return new Map(named.filter((entry) => entry !== null));
}

export function usageCommand(): Command {
  return examples(
    new Command('usage'),
    'keygate usage',
    'keygate usage --project $PROJECT --from 7d --granularity day',
    'keygate usage --key $KEY --granularity minute --group-by route',
    'keygate usage --customer $CUSTOMER --from 24h',
  )
    .description("calls over time and totals by outcome and route: a key's, a project's, a customer's, or the whole gateway's")
    .option('--key <keyId>', 'the usage of one key')
    .option('--project <projectId>', 'the usage of one project')
    .option('--customer <customerId>', "the usage of one customer: all of its keys' calls, revoked keys included")
    .option('--from <when>', 'start: an ISO 8601 time or a duration ago (2h, 7d); default one span before --to', pastTime)
    .option('--to <when>', 'end: an ISO 8601 time or a duration ago; default now', pastTime)
    .addOption(new Option('--granularity <unit>', 'bucket size').choices(['minute', 'hour', 'day']).default('hour'))
    .addOption(
      new Option('--group-by <dimension>', 'what the series is split by: the chart (outcome only), the table and --json')
        .choices(['route', 'status', 'outcome'])
        .default('outcome'),
    )
    .action((opts: UsageOptions, cmd: Command) =>
      withClient(cmd, async ({ client, json: asJson }) => {
        const subjects = (
          [
            ['keys', opts.key],
            ['projects', opts.project],
            ['customers', opts.customer],
          ] as const
        ).filter(([, id]) => id);
        if (subjects.length > 1) throw usageError('give one of --key, --project and --customer');
        const [collection, id] = subjects[0] ?? [];
        const path = id ? `/${collection}/${encodeURIComponent(id)}/usage` : '/usage';
        const query = { from: opts.from, to: opts.to, granularity: opts.granularity, groupBy: opts.groupBy };
        const usage = await client.call<UsageView>('GET', path, { query });
        if (asJson) return json(usage);
        const named = await names(client, usage, opts.customer);
        for (const line of usageLines(usage, named, process.stdout.columns ?? 80, opts.customer)) out(line);
      }),
    );
}
