// keygate customers create|list|show|update|delete|credits

import { Command } from 'commander';
import type { z } from 'zod';
import type { CreditBalance, Customer } from '../../src/admin/responses';
import { fetchPages, pageOptions, withClient, type Page, type PageOptions } from '../api';
import { usageError } from '../errors';
import { limitBody, limitOptions, limitRows, type LimitOptions } from '../holder-view';
import { color, essential, essentialIds, fields, json, list, morePages, out, quiet, table, when } from '../output';
import { integer, metadata, nonNegativeInt } from '../parse';
import { confirm } from '../prompt';
import { ARG, examples } from '../help';

export type CustomerView = z.infer<typeof Customer>;

const customer = (id: string) => `/customers/${encodeURIComponent(id)}`;

function showCustomer(c: CustomerView): void {
  const meta = Object.entries(c.metadata).map(([k, v]) => `${k}=${v}`);
  out(
    fields([
      ['id', color.bold(c.id)],
      ['external id', c.externalId],
      ['name', c.name],
      ['project', c.projectId],
      ['plan', c.planId ?? '—'],
      ...limitRows(c.effective),
      ['metadata', list(meta)],
      ['updated', when(c.updatedAt)],
    ]),
  );
}

type CustomerOptions = LimitOptions & {
  plan?: string | false;
  name?: string;
  externalId?: string;
  metadata?: Record<string, string>;
};

function printed(asJson: boolean, idOnly: boolean, view: CustomerView): void {
  if (asJson) json(view);
  else if (idOnly) essential(view.id);
  else showCustomer(view);
}

function body(opts: CustomerOptions): Record<string, unknown> {
  return {
    ...(opts.name ? { name: opts.name } : {}),
    ...(opts.externalId ? { externalId: opts.externalId } : {}),
    ...(opts.metadata ? { metadata: opts.metadata } : {}),
    ...(opts.plan !== undefined ? { planId: opts.plan === false ? null : opts.plan } : {}),
    ...limitBody(opts),
  };
}

function creditsCommand(): Command {
  return examples(new Command('credits'), 'keygate customers credits $CUSTOMER --add 500', 'keygate customers credits $CUSTOMER --set 0')
    .description("set or add to a customer's credit balance (shared by its keys)")
    .argument('<customerId>', ARG.customerId)
    .option('--set <n>', 'the balance becomes n', nonNegativeInt)
    .option('--add <n>', 'add n (negative takes away, never below 0)', integer)
    .action((id: string, opts: { set?: number; add?: number }, cmd: Command) =>
      withClient(cmd, async ({ client, json: asJson }) => {
        if ((opts.set === undefined) === (opts.add === undefined)) throw usageError('give exactly one of --set and --add');
        const change = opts.set === undefined ? { add: opts.add } : { set: opts.set };
        const answer = await client.call<z.infer<typeof CreditBalance>>('POST', `${customer(id)}/credits`, { body: change });
        if (asJson) json(answer);
        else out(`Balance: ${answer.balance}`);
      }),
    );
}

export function customersCommand(): Command {
  const customers = examples(
    new Command('customers'),
    'keygate customers list $PROJECT',
    'keygate customers create $PROJECT acme-42 "Acme"',
  ).description('your customers: their keys share their limits, quota and credits');
  const createCmd = examples(
    customers.command('create'),
    'keygate customers create $PROJECT acme-42 "Acme" --quota 100/day',
    'CUSTOMER=$(keygate customers create $PROJECT acme-43 "Acme 2" --plan $PLAN -q)',
  );
  limitOptions(
    createCmd
      .description('create a customer')
      .argument('<projectId>', ARG.projectId)
      .argument('<externalId>', 'your own id for the customer (sent to the origin with each call)')
      .argument('<name>', 'a name for it'),
  )
    .option('--plan <planId>', 'the plan it takes limits from where it has none of its own')
    .option('--metadata <key=value>', 'a metadata entry (repeatable)', metadata)
    .action((projectId: string, externalId: string, name: string, opts: CustomerOptions, cmd: Command) =>
      withClient(cmd, async ({ client, json: asJson }) => {
        const path = `/projects/${encodeURIComponent(projectId)}/customers`;
        printed(asJson, quiet(), await client.call<CustomerView>('POST', path, { body: { ...body(opts), name, externalId } }));
      }),
    );
  const listCmd = examples(customers.command('list'), 'keygate customers list $PROJECT', 'keygate customers list $PROJECT --all --json');
  pageOptions(listCmd.description("list a project's customers").argument('<projectId>', ARG.projectId), 'customers').action(
    (projectId: string, opts: PageOptions, cmd: Command) =>
      withClient(cmd, async ({ client, json: asJson }) => {
        const page = await fetchPages<Page<CustomerView>>(client, `/projects/${encodeURIComponent(projectId)}/customers`, opts);
        if (asJson) return json(page);
        if (quiet()) return essentialIds(page.items);
        if (page.items.length === 0) return out(`No customers: \`keygate customers create ${projectId} <externalId> <name>\``);
        out(
          table(
            ['ID', 'EXTERNAL ID', 'NAME', 'PLAN', 'QUOTA', 'CREDITS'],
            page.items.map((c) => [
              c.id,
              c.externalId,
              c.name,
              c.planId ?? '',
              ...limitRows(c.effective)
                .slice(1)
                .map(([, v]) => v),
            ]),
          ),
        );
        morePages(page.nextCursor);
      }),
  );
  examples(customers.command('show'), 'keygate customers show $CUSTOMER')
    .description('show a customer, with its exact quota left and credit balance')
    .argument('<customerId>', ARG.customerId)
    .action((id: string, _opts: unknown, cmd: Command) =>
      withClient(cmd, async (ctx) => printed(ctx.json, false, await ctx.client.call<CustomerView>('GET', customer(id)))),
    );
  const updateCmd = examples(
    customers.command('update'),
    'keygate customers update $CUSTOMER --plan $PLAN',
    'keygate customers update $CUSTOMER --no-quota',
  );
  limitOptions(
    updateCmd
      .description('change a customer (its keys follow within 5 s; a new plan keeps what was spent)')
      .argument('<customerId>', ARG.customerId),
    true,
  )
    .option('--name <name>', 'a new name')
    .option('--external-id <id>', 'a new external id')
    .option('--plan <planId>', 'move it to this plan')
    .option('--no-plan', 'take it off its plan')
    .option('--metadata <key=value>', 'a metadata entry (repeatable; replaces the metadata)', metadata)
    .action((id: string, opts: CustomerOptions, cmd: Command) =>
      withClient(cmd, async (ctx) => {
        const change = body(opts);
        if (Object.keys(change).length === 0)
          throw usageError('nothing to change: give at least one option (see `keygate customers update --help`)');
        printed(ctx.json, false, await ctx.client.call<CustomerView>('PATCH', customer(id), { body: change }));
      }),
    );
  examples(customers.command('delete'), 'keygate customers delete $CUSTOMER', 'keygate customers delete $CUSTOMER --yes')
    .description('delete a customer and revoke all its keys (asks first)')
    .argument('<customerId>', ARG.customerId)
    .option('-y, --yes', 'do not ask for confirmation')
    .action((id: string, opts: { yes?: boolean }, cmd: Command) =>
      withClient(cmd, async ({ client, json: asJson }) => {
        const current = await client.call<CustomerView>('GET', customer(id));
        await confirm(`Delete customer ${current.id} (${current.name}) and revoke all its keys?`, opts.yes);
        await client.call('DELETE', customer(id));
        if (asJson) json({ id: current.id, deleted: true });
        else out(`Deleted customer ${current.id}; its keys are revoked.`);
      }),
    );
  customers.addCommand(creditsCommand());
  return customers;
}
