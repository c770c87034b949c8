// keygate plans create|list|show|update|delete

import { Command } from 'commander';
import type { z } from 'zod';
import type { Plan } from '../../src/admin/responses';
import { fetchPages, pageOptions, withClient, type Page, type PageOptions } from '../api';
import { usageError } from '../errors';
import { limitBody, limitOptions, limitRows, type LimitOptions } from '../holder-view';
import { color, fields, json, list, morePages, out, table, time } from '../output';
import { collect } from '../parse';
import { confirm } from '../prompt';

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
      ['updated', time(p.updatedAt)],
    ]),
  );
}

type PlanOptions = LimitOptions & { scope?: string[]; name?: string; quiet?: boolean };

function printed(asJson: boolean, quiet: boolean | undefined, view: PlanView): void {
  if (asJson) json(view);
  else if (quiet) out(view.id);
  else showPlan(view);
}

export function plansCommand(): Command {
  const plans = new Command('plans').description('plans: rate limits, quota, credits and scopes that keys and customers take');
  limitOptions(plans.command('create <projectId> <name>').description('create a plan'))
    .option('--scope <scope>', 'a scope of keys under the plan that have none of their own (repeatable)', collect)
    .option('-q, --quiet', 'print only the new plan id')
    .action((projectId: string, name: string, opts: PlanOptions, cmd: Command) =>
      withClient(cmd, async ({ client, json: asJson }) => {
        const body = { name, ...(opts.scope ? { scopes: opts.scope } : {}), ...limitBody(opts) };
        printed(asJson, opts.quiet, await client.call<PlanView>('POST', `/projects/${encodeURIComponent(projectId)}/plans`, { body }));
      }),
    );
  pageOptions(plans.command('list <projectId>').description("list a project's plans"), 'plans').action(
    (projectId: string, opts: PageOptions, cmd: Command) =>
      withClient(cmd, async ({ client, json: asJson }) => {
        const page = await fetchPages<Page<PlanView>>(client, `/projects/${encodeURIComponent(projectId)}/plans`, opts);
        if (asJson) return json(page);
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
  plans
    .command('show <planId>')
    .description('show a plan')
    .action((id: string, _opts: unknown, cmd: Command) =>
      withClient(cmd, async (ctx) => printed(ctx.json, false, await ctx.client.call<PlanView>('GET', plan(id)))),
    );
  limitOptions(plans.command('update <planId>').description("change a plan: every holder's limits follow within 5 s"), true)
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
  plans
    .command('delete <planId>')
    .description('delete a plan that no key or customer holds (asks first)')
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
