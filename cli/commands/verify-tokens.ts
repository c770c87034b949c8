// keygate verify-tokens create|list|revoke — a project's credentials for the HTTP verifier
// (POST /_keygate/v1/verify) and Envoy's ext_authz calls; never the admin token.

import { Command } from 'commander';
import type { z } from 'zod';
import type { VerifyToken, VerifyTokenCreated } from '../../src/admin/responses';
import { fetchPages, pageOptions, withClient, type Page, type PageOptions } from '../api';
import { color, fields, json, morePages, out, table, time } from '../output';
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
  const cmd = new Command('verify-tokens').description('verify tokens: the credential of the HTTP and Envoy verifiers of a project');
  cmd
    .command('create <projectId> <name>')
    .description('create a verify token (shown once)')
    .option('-q, --quiet', 'print only the token')
    .action((projectId: string, name: string, opts: { quiet?: boolean }, sub: Command) =>
      withClient(sub, async ({ client, json: asJson }) => {
        const created = await client.call<TokenCreatedView>('POST', tokens(projectId), { body: { name } });
        if (asJson) return json(created);
        if (opts.quiet) return out(created.token);
        showToken(created);
        out(
          `\n${color.bold(created.token)}\nShown once: store it where the verifier runs (Authorization: Bearer, or Envoy's Keygate-Verify-Token).`,
        );
      }),
    );
  pageOptions(cmd.command('list <projectId>').description("list a project's verify tokens (never their secrets)"), 'verify tokens').action(
    (projectId: string, opts: PageOptions, sub: Command) =>
      withClient(sub, async ({ client, json: asJson }) => {
        const page = await fetchPages<Page<TokenView>>(client, tokens(projectId), opts);
        if (asJson) return json(page);
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
  cmd
    .command('revoke <tokenId>')
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
