// keygate keys create|list|show|update|disable|enable|revoke|rotate

import { Command, Option } from 'commander';
import { fetchPages, pageOptions, withClient, type Context, type KeyCreatedView, type KeyView, type Page, type PageOptions } from '../api';
import { usageError } from '../errors';
import { KEY_COLUMNS, keyRow, showKey, showNewKey } from '../key-view';
import { essentialIds, json, morePages, out, quiet, table, time, when } from '../output';
import { collect, durationSeconds, futureTime, metadata, nonNegativeInt, quota, rateLimit, refill, type RateLimit } from '../parse';
import { limitBody, type LimitOptions } from '../holder-view';
import { confirm } from '../prompt';
import { ARG, examples } from '../help';

interface KeyFields {
  name?: string;
  scope?: string[];
  expires?: string | false;
  ip?: string[];
  metadata?: Record<string, string>;
  rateLimit?: RateLimit[];
  rateLimits?: boolean;
  quota?: { limit: number; period: 'day' | 'month' } | false;
}

/** The options shared by create and update. */
function keyFieldOptions(cmd: Command): Command {
  return cmd
    .option('--scope <scope>', 'a scope such as forms:read, forms:* or !forms:delete (repeatable)', collect)
    .option('--expires <when>', 'expiry: an ISO 8601 time or a duration from now (30d)', futureTime)
    .option('--ip <cidr>', 'an allowed client address or CIDR range (repeatable)', collect)
    .option('--metadata <key=value>', 'a metadata entry (repeatable)', metadata)
    .option('--rate-limit <name=limit/window>', 'a sliding window, e.g. burst=100/10s (repeatable, up to 5)', rateLimit)
    .option('--quota <limit/period>', 'a quota, e.g. 1000/day or 50000/month', quota);
}

function key(id: string): string {
  return `/keys/${encodeURIComponent(id)}`;
}

async function printKey(ctx: Context, promise: Promise<KeyView>): Promise<void> {
  const view = await promise;
  if (ctx.json) json(view);
  else showKey(view);
}

/** The PATCH body of `keys update`: only what was given; --no-… options clear a field. */
function updateBody(opts: KeyFields): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (opts.name !== undefined) body.name = opts.name;
  if (opts.scope) body.scopes = opts.scope;
  if (opts.expires !== undefined) body.expiresAt = opts.expires === false ? null : opts.expires;
  if (opts.ip) body.ipAllowlist = opts.ip;
  if (opts.metadata) body.metadata = opts.metadata;
  if (opts.rateLimit) body.rateLimits = opts.rateLimit;
  else if (opts.rateLimits === false) body.rateLimits = [];
  if (opts.quota !== undefined) body.quota = opts.quota === false ? null : opts.quota;
  if (Object.keys(body).length === 0) throw usageError('nothing to change: give at least one option (see `keygate keys update --help`)');
  return body;
}

function createCommand(): Command {
  return keyFieldOptions(
    examples(
      new Command('create'),
      'keygate keys create $PROJECT "web app" --scope forms:read --scope forms:write',
      'KEY=$(keygate keys create $PROJECT ci --env test --scope forms:read --expires 30d -q)',
      'keygate keys create $PROJECT batch --scope forms:read --rate-limit burst=100/10s --quota 50000/month',
    )
      .description('create a key in a project; its plaintext is printed this once')
      .argument('<projectId>', ARG.projectId)
      .argument('<name>', 'a label for the key'),
  )
    .addOption(new Option('--env <environment>', 'live or test').choices(['live', 'test']).default('live'))
    .option('--customer <customerId>', 'the customer whose limits, quota and credits the key shares')
    .option('--plan <planId>', 'the plan the key takes limits (and scopes, if it has none) from')
    .option('--credits <n>', 'a credit balance of its own, starting at n', nonNegativeInt)
    .option('--refill <to|by:amount/period>', 'refill the credits each UTC day or month: to:1000/month or by:100/day', refill)
    .action(
      (projectId: string, name: string, opts: KeyFields & LimitOptions & { env: string; customer?: string; plan?: string }, cmd: Command) =>
        withClient(cmd, async (ctx) => {
          const body = {
            name,
            scopes: opts.scope ?? [],
            environment: opts.env,
            expiresAt: opts.expires || undefined,
            ipAllowlist: opts.ip,
            metadata: opts.metadata,
            rateLimits: opts.rateLimit,
            quota: opts.quota || undefined,
            credits: limitBody({ credits: opts.credits, refill: opts.refill }).credits,
            customerId: opts.customer,
            planId: opts.plan,
          };
          const created = await ctx.client.call<KeyCreatedView>('POST', `/projects/${encodeURIComponent(projectId)}/keys`, { body });
          showNewKey(created, ctx.json ? 'json' : quiet() ? 'quiet' : 'human');
        }),
    );
}

function updateCommand(): Command {
  const updateCmd = examples(
    new Command('update'),
    'keygate keys update $KEY --name "web app (old)"',
    'keygate keys update $KEY --scope forms:read --no-expires',
  );
  return keyFieldOptions(updateCmd.description("change a key's name, scopes, expiry, limits…").argument('<keyId>', ARG.keyId))
    .option('--name <name>', 'a new label')
    .option('--no-expires', 'remove the expiry')
    .option('--no-rate-limits', 'remove every rate limit')
    .option('--no-quota', 'remove the quota')
    .action((keyId: string, opts: KeyFields, cmd: Command) =>
      withClient(cmd, (ctx) => printKey(ctx, ctx.client.call<KeyView>('PATCH', key(keyId), { body: updateBody(opts) }))),
    );
}

function setEnabled(name: string, enabled: boolean, description: string): Command {
  return examples(new Command(name), `keygate keys ${name} $KEY`)
    .description(description)
    .argument('<keyId>', ARG.keyId)
    .action((keyId: string, _opts: unknown, cmd: Command) =>
      withClient(cmd, (ctx) => printKey(ctx, ctx.client.call<KeyView>('PATCH', key(keyId), { body: { enabled } }))),
    );
}

function revokeCommand(): Command {
  return examples(new Command('revoke'), 'keygate keys revoke $KEY', 'keygate keys revoke $KEY --yes --json')
    .description('revoke a key, permanently (asks first)')
    .argument('<keyId>', ARG.keyId)
    .option('-y, --yes', 'do not ask for confirmation')
    .action((keyId: string, opts: { yes?: boolean }, cmd: Command) =>
      withClient(cmd, async (ctx) => {
        const current = await ctx.client.call<KeyView>('GET', key(keyId));
        await confirm(`Revoke key ${current.id} (${current.name})? This cannot be undone.`, opts.yes);
        await printKey(ctx, ctx.client.call<KeyView>('POST', `${key(keyId)}/revoke`));
      }),
    );
}

function rotateCommand(): Command {
  return examples(new Command('rotate'), 'keygate keys rotate $KEY --grace 1h', 'NEW=$(keygate keys rotate $KEY --grace 10m -q)')
    .description('issue a new key now; the old one keeps working for the grace period')
    .argument('<keyId>', ARG.keyId)
    .option('--grace <duration>', 'how long the old key keeps working (0–30d)', durationSeconds, 0)
    .action((keyId: string, opts: { grace: number }, cmd: Command) =>
      withClient(cmd, async (ctx) => {
        const body = { gracePeriodSeconds: opts.grace };
        const created = await ctx.client.call<KeyCreatedView>('POST', `${key(keyId)}/rotate`, { body });
        showNewKey(created, ctx.json ? 'json' : quiet() ? 'quiet' : 'human');
        if (ctx.json || quiet()) return;
        const old = await ctx.client.call<KeyView>('GET', key(keyId));
        out(`The old key ${old.id} ${old.status === 'active' ? `keeps working until ${when(old.expiresAt)}` : `is ${old.status}`}.`);
      }),
    );
}

export function keysCommand(): Command {
  const keys = examples(
    new Command('keys'),
    'keygate keys list $PROJECT',
    'keygate keys create $PROJECT "web app" --scope forms:read',
  ).description('API keys: create, list, change, revoke, rotate');
  keys.addCommand(createCommand());
  const listCmd = examples(keys.command('list'), 'keygate keys list $PROJECT', 'keygate keys list $PROJECT --status exposed --all');
  pageOptions(listCmd.description("list a project's keys").argument('<projectId>', ARG.projectId), 'keys')
    .addOption(new Option('--status <status>', 'only keys in this state').choices(['active', 'disabled', 'revoked', 'expired', 'exposed']))
    .action((projectId: string, opts: PageOptions & { status?: string }, cmd: Command) =>
      withClient(cmd, async (ctx) => {
        const page = await fetchPages<Page<KeyView>>(ctx.client, `/projects/${encodeURIComponent(projectId)}/keys`, opts, {
          status: opts.status,
        });
        if (ctx.json) return json(page);
        if (quiet()) return essentialIds(page.items);
        if (page.items.length === 0) return out(`No keys: \`keygate keys create ${projectId} <name> --scope …\``);
        out(table(KEY_COLUMNS, page.items.map(keyRow)));
        morePages(page.nextCursor);
      }),
    );
  examples(keys.command('show'), 'keygate keys show $KEY', 'keygate keys show $KEY --json')
    .description('show a key (never its plaintext)')
    .argument('<keyId>', ARG.keyId)
    .action((keyId: string, _opts: unknown, cmd: Command) =>
      withClient(cmd, (ctx) => printKey(ctx, ctx.client.call<KeyView>('GET', key(keyId)))),
    );
  keys.addCommand(updateCommand());
  keys.addCommand(setEnabled('disable', false, 'disable a key (refused within seconds everywhere; enable undoes it)'));
  keys.addCommand(setEnabled('enable', true, 'enable a disabled key'));
  keys.addCommand(revokeCommand());
  keys.addCommand(rotateCommand());
  return keys;
}
