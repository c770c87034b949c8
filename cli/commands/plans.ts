// keygate plans create|list|show|update|delete

import { Command } from 'commander';
import type { z } from 'zod';
import type { Plan } from '../../src/admin/responses';
import { fetchPages, pageOptions, withClient, type Page, type PageOptions } from '../api';
import { usageError } from '../errors';
import { limitBody, limitOptions, limitRows, type LimitOptions } from '../holder-view';
import { color, essential, essentialIds, fields, json, list, morePages, out, quiet, table, when } from '../output';
import { collect } from '../parse';
import { confirm } from '../prompt';
import { ARG, examples } from '../help';

export type PlanView = z.infer<typeof Plan>;

const plan = (id: string) => `/plans/${encodeURIComponent(id)}`;

function showPlan(p: PlanView): void {
  out(
    fields([
      ['id', color.bold(p.id)],
      ['name', p.name],
      ['project', p.projectId],
      ['scopes', list(p.scopes)],
      ...limitRows(p),
      ['updated', when(p.updatedAt)],
    ]),
  );
}

type PlanOptions = LimitOptions & { scope?: string[]; name?: string };

function printed(asJson: boolean, idOnly: boolean, view: PlanView): void {
  if (asJson) json(view);
  else if (idOnly) essential(view.id);
  else showPlan(view);
}

export function plansCommand(): Command {
  const plans = examples(
    new Command('plans'),
    'keygate plans list $PROJECT',
    'keygate plans create $PROJECT free --quota 1000/day',
  ).description('plans: rate limits, quota, credits and scopes that keys and customers take');
  const createCmd = examples(
    plans.command('create'),
    'keygate plans create $PROJECT free --rate-limit burst=5/10s --quota 1000/day',
    'PLAN=$(keygate plans create $PROJECT pro --quota 100000/day -q)',
  );
  limitOptions(createCmd.description('create a plan').argument('<projectId>', ARG.projectId).argument('<name>', 'a name for the plan'))
    .option('--scope <scope>', 'a scope of keys under the plan that have none of their own (repeatable)', collect)
    .action((projectId: string, name: string, opts: PlanOptions, cmd: Command) =>
      withClient(cmd, async ({ client, json: asJson }) => {
        const body = { name, ...(opts.scope ? { scopes: opts.scope } : {}), ...limitBody(opts) };
        printed(asJson, quiet(), await client.call<PlanView>('POST', `/projects/${encodeURIComponent(projectId)}/plans`, { body }));
      }),
    );
  const listCmd = examples(plans.command('list'), 'keygate plans list $PROJECT');
  pageOptions(listCmd.description("list a project's plans").argument('<projectId>', ARG.projectId), 'plans').action(
    (projectId: string, opts: PageOptions, cmd: Command) =>
      withClient(cmd, async ({ client, json: asJson }) => {
        const page = await fetchPages<Page<PlanView>>(client, `/projects/${encodeURIComponent(projectId)}/plans`, opts);
        if (asJson) return json(page);
        if (quiet()) return essentialIds(page.items);
        if (page.items.length === 0) return out(`No plans: \`keygate plans create ${projectId} <name> --quota 1000/month\``);
        out(
          table(
            ['ID', 'NAME', 'RATE LIMITS', 'QUOTA', 'CREDITS'],
            page.items.map((p) => [p.id, p.name, ...limitRows(p).map(([, v]) => v)]),
          ),
        );
        morePages(page.nextCursor);
      }),
  );
  examples(plans.command('show'), 'keygate plans show $PLAN')
    .description('show a plan')
    .argument('<planId>', ARG.planId)
    .action((id: string, _opts: unknown, cmd: Command) =>
      withClient(cmd, async (ctx) => printed(ctx.json, false, await ctx.client.call<PlanView>('GET', plan(id)))),
    );
  const updateCmd = examples(
    plans.command('update'),
    'keygate plans update $PLAN --quota 2000/day',
    'keygate plans update $PLAN --no-rate-limits',
  );
  limitOptions(updateCmd.description("change a plan: every holder's limits follow within 5 s").argument('<planId>', ARG.planId), true)
    .option('--name <name>', 'a new name')
    .option('--scope <scope>', 'the scopes (repeatable; replaces the list)', collect)
    .action((id: string, opts: PlanOptions, cmd: Command) =>
      withClient(cmd, async (ctx) => {
        const body = { ...(opts.name ? { name: opts.name } : {}), ...(opts.scope ? { scopes: opts.scope } : {}), ...limitBody(opts) };
        if (Object.keys(body).length === 0)
          throw usageError('nothing to change: give at least one option (see `keygate plans update --help`)');
        printed(ctx.json, false, await ctx.client.call<PlanView>('PATCH', plan(id), { body }));
      }),
    );
  examples(plans.command('delete'), 'keygate plans delete $PLAN --yes')
    .description('delete a plan that no key or customer holds (asks first)')
    .argument('<planId>', ARG.planId)
    .option('-y, --yes', 'do not ask for confirmation')
    .action((id: string, opts: { yes?: boolean }, cmd: Command) =>
      withClient(cmd, async ({ client, json: asJson }) => {
        const current = await client.call<PlanView>('GET', plan(id));
        await confirm(`Delete plan ${current.id} (${current.name})?`, opts.yes);
        await client.call('DELETE', plan(id));
        if (asJson) json({ id: current.id, deleted: true });
        else out(`Deleted plan ${current.id}.`);
      }),
    );
  return plans;
}
