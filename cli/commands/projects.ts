// keygate projects create|list|show|delete

import { Command } from 'commander';
import { fetchPages, pageOptions, withClient, type Page, type PageOptions, type ProjectView } from '../api';
import { color, essential, essentialIds, fields, json, morePages, out, quiet, table, when } from '../output';
import { metadata } from '../parse';
import { confirm } from '../prompt';
import { ARG, examples } from '../help';

function showProject(p: ProjectView): void {
  const meta = Object.entries(p.metadata).map(([k, v]) => `${k}=${v}`);
  out(
    fields([
      ['id', color.bold(p.id)],
      ['name', p.name],
      ['description', p.description ?? '—'],
      ['metadata', meta.length ? meta.join(', ') : '—'],
      ['created', when(p.createdAt)],
      ['updated', when(p.updatedAt)],
    ]),
  );
}

export function projectsCommand(): Command {
  const projects = examples(new Command('projects'), 'keygate projects list', 'keygate projects create "clinic app"').description(
    'the applications that call your API',
  );

  examples(
    projects.command('create'),
    'keygate projects create "clinic app" --description "the clinic\'s web app"',
    'PROJECT=$(keygate projects create "clinic app" -q)',
  )
    .description('create a project')
    .argument('<name>', 'a name for it (your application)')
    .option('--description <text>', 'what the project is')
    .option('--metadata <key=value>', 'a metadata entry (repeatable)', metadata)
    .action((name: string, opts: { description?: string; metadata?: Record<string, string> }, cmd: Command) =>
      withClient(cmd, async ({ client, json: asJson }) => {
        const body = { name, description: opts.description, metadata: opts.metadata };
        const project = await client.call<ProjectView>('POST', '/projects', { body });
        if (asJson) return json(project);
        if (quiet()) return essential(project.id);
        showProject(project);
      }),
    );

  pageOptions(
    examples(projects.command('list'), 'keygate projects list', 'keygate projects list --all -q').description('list projects'),
    'projects',
  ).action((opts: PageOptions, cmd: Command) =>
    withClient(cmd, async ({ client, json: asJson }) => {
      const page = await fetchPages<Page<ProjectView>>(client, '/projects', opts);
      if (asJson) return json(page);
      if (quiet()) return essentialIds(page.items);
      if (page.items.length === 0) return out('No projects yet: `keygate projects create <name>`');
      out(
        table(
          ['ID', 'NAME', 'DESCRIPTION', 'CREATED'],
          page.items.map((p) => [p.id, p.name, p.description ?? '', when(p.createdAt)]),
        ),
      );
      morePages(page.nextCursor);
    }),
  );

  examples(projects.command('show'), 'keygate projects show $PROJECT', 'keygate projects show $PROJECT --json')
    .description('show a project')
    .argument('<projectId>', ARG.projectId)
    .action((projectId: string, _opts: unknown, cmd: Command) =>
      withClient(cmd, async ({ client, json: asJson }) => {
        const project = await client.call<ProjectView>('GET', `/projects/${encodeURIComponent(projectId)}`);
        if (asJson) json(project);
        else showProject(project);
      }),
    );

  examples(projects.command('delete'), 'keygate projects delete $PROJECT', 'keygate projects delete $PROJECT --yes')
    .description('delete a project with its customers and plans, and revoke its keys and verify tokens (asks first)')
    .argument('<projectId>', ARG.projectId)
    .option('-y, --yes', 'do not ask for confirmation')
    .action((projectId: string, opts: { yes?: boolean }, cmd: Command) =>
      withClient(cmd, async ({ client, json: asJson }) => {
        const path = `/projects/${encodeURIComponent(projectId)}`;
        const project = await client.call<ProjectView>('GET', path);
        await confirm(
          `Delete project ${project.id} (${project.name}) with its customers and plans, and revoke its keys and verify tokens?`,
          opts.yes,
        );
        await client.call('DELETE', path);
        if (asJson) json({ id: project.id, deleted: true });
        else out(`Deleted project ${project.id}; its keys are revoked.`);
      }),
    );

  return projects;
}
