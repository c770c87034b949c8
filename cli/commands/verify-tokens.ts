// keygate verify-tokens create|list|revoke — a project's credentials for the HTTP verifier
// (POST /_keygate/v1/verify) and Envoy's ext_authz calls; never the admin token.

import { Command } from 'commander';
import type { z } from 'zod';
import type { VerifyToken, VerifyTokenCreated } from '../../src/admin/responses';
import { fetchPages, pageOptions, withClient, type Page, type PageOptions } from '../api';
import { color, essential, essentialIds, fields, json, morePages, out, quiet, table, time } from '../output';
import { ARG, examples } from '../help';
import { confirm } from '../prompt';

type TokenView = z.infer<typeof VerifyToken>;
type TokenCreatedView = z.infer<typeof VerifyTokenCreated>;

const tokens = (projectId: string) => `/projects/${encodeURIComponent(projectId)}/verify-tokens`;

function showToken(t: TokenView): void {
  out(
    fields([
      ['id', color.bold(t.id)],
      ['name', t.name],
      ['project', t.projectId],
      ['start', t.start],
      ['status', t.status],
      ['created', time(t.createdAt)],
      ['revoked', time(t.revokedAt)],
    ]),
  );
}

export function verifyTokensCommand(): Command {
  const cmd = examples(
    new Command('verify-tokens'),
    'keygate verify-tokens create $PROJECT envoy',
    'keygate verify-tokens list $PROJECT',
  ).description('verify tokens: the credential of the HTTP and Envoy verifiers of a project');
  examples(cmd.command('create'), 'keygate verify-tokens create $PROJECT envoy', 'TOKEN=$(keygate verify-tokens create $PROJECT envoy -q)')
    .description('create a verify token (shown once; -q prints only the token)')
    .argument('<projectId>', ARG.projectId)
    .argument('<name>', 'a name to tell the token apart (e.g. where the verifier runs)')
    .action((projectId: string, name: string, _opts: unknown, sub: Command) =>
      withClient(sub, async ({ client, json: asJson }) => {
        const created = await client.call<TokenCreatedView>('POST', tokens(projectId), { body: { name } });
        if (asJson) return json(created);
        if (quiet()) return essential(created.token);
        showToken(created);
        out(
          `\n${color.bold(created.token)}\nShown once: store it where the verifier runs (Authorization: Bearer, or Envoy's Keygate-Verify-Token).`,
        );
      }),
    );
  pageOptions(
    examples(cmd.command('list'), 'keygate verify-tokens list $PROJECT', 'keygate verify-tokens list $PROJECT --json')
      .description("list a project's verify tokens (never their secrets)")
      .argument('<projectId>', ARG.projectId),
    'verify tokens',
  ).action((projectId: string, opts: PageOptions, sub: Command) =>
    withClient(sub, async ({ client, json: asJson }) => {
      const page = await fetchPages<Page<TokenView>>(client, tokens(projectId), opts);
      if (asJson) return json(page);
      if (quiet()) return essentialIds(page.items);
      if (page.items.length === 0) return out(`No verify tokens: \`keygate verify-tokens create ${projectId} <name>\``);
      out(
        table(
          ['ID', 'NAME', 'START', 'STATUS', 'CREATED'],
          page.items.map((t) => [t.id, t.name, t.start, t.status, time(t.createdAt)]),
        ),
      );
      morePages(page.nextCursor);
    }),
  );
  examples(cmd.command('revoke'), 'keygate verify-tokens revoke vtk_… --yes')
    .argument('<tokenId>', 'the verify token’s id (vtk_…, from `keygate verify-tokens list`)')
    .description('revoke a verify token, permanently (asks first)')
    .option('-y, --yes', 'do not ask for confirmation')
    .action((id: string, opts: { yes?: boolean }, sub: Command) =>
      withClient(sub, async ({ client, json: asJson }) => {
        await confirm(`Revoke verify token ${id}? Verifiers using it are refused from then on.`, opts.yes);
        const revoked = await client.call<TokenView>('POST', `/verify-tokens/${encodeURIComponent(id)}/revoke`);
        if (asJson) json(revoked);
        else showToken(revoked);
      }),
    );
  return cmd;
}
