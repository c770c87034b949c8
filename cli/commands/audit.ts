// keygate audit: every admin change, oldest first, and whether the hash chain verifies.

import { Command } from 'commander';
import { fetchPages, pageOptions, withClient, type AuditView, type PageOptions } from '../api';
import { color, errColor, json, morePages, out, table, when } from '../output';
import { examples } from '../help';

const CHANGES_WIDTH = 60;

function changesText(changes: Record<string, unknown>): string {
  const text = Object.keys(changes).length === 0 ? '' : JSON.stringify(changes);
  return text.length > CHANGES_WIDTH ? `${text.slice(0, CHANGES_WIDTH - 1)}…` : text;
}

export function auditCommand(): Command {
  const command = examples(new Command('audit'), 'keygate audit', 'keygate audit --all --json');
  return pageOptions(command.description('the audit log of every admin change, oldest first'), 'entries').action(
    (opts: PageOptions, cmd: Command) =>
      withClient(cmd, async ({ client, json: asJson }) => {
        const audit = await fetchPages<AuditView>(client, '/audit', opts);
        if (asJson) return json(audit);
        const rows = audit.items.map((e) => [String(e.seq), when(e.at), e.actor, e.action, e.target, changesText(e.changes)]);
        out(table(['SEQ', 'AT', 'ACTOR', 'ACTION', 'TARGET', 'CHANGES'], rows));
        morePages(audit.nextCursor);
        const { verified, entries, brokenAt } = audit.chain;
        if (verified) out(color.green(`hash chain verified (${entries} entries)`));
        else process.stderr.write(`${errColor.red(`hash chain BROKEN at entry ${brokenAt ?? '?'} of ${entries}: the log was altered`)}\n`);
      }),
  );
}
