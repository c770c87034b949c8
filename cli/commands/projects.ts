// keygate projects create|list|show|delete

import { Command } from 'commander';
import { fetchPages, pageOptions, withClient, type Page, type PageOptions, type ProjectView } from '../api';
import { color, fields, json, morePages, out, table, time } from '../output';
import { metadata } from '../parse';
import { confirm } from '../prompt';

function showProject(p: ProjectView): void {
  const meta = Object.entries(p.metadata).map(([k, v]) => `${k}=${v}`);
  out(
    fields([
      ['id', color.bold(p.id)],
      ['name', p.name],
      ['description', p.description ?? '—'],
      ['metadata', meta.length ? meta.join(', ') : '—'],
      ['created', time(p.createdAt)],
      ['updated', time(p.updatedAt)],
    ]),
  );
}

export function projectsCommand(): Command {
  const projects = new Command('projects').description('the applications that call your API');

  projects
    .command('create <name>')
    .description('create a project')
    .option('--description <text>', 'what the project is')
    .option('--metadata <key=value>', 'a metadata entry (repeatable)', metadata)
    .option('-q, --quiet', 'print only the new project id')
    .action((name: string, opts: { description?: string; metadata?: Record<string, string>; quiet?: boolean }, cmd: Command) =>
      withClient(cmd, async ({ client, json: asJson }) => {
        const body = { name, description: opts.description, metadata: opts.metadata };
        const project = await client.call<ProjectView>('POST', '/projects', { body });
        if (asJson) return json(project);
        if (opts.quiet) return out(project.id);
        showProject(project);
      }),
    );

  pageOptions(projects.command('list').description('list projects'), 'projects').action((opts: PageOptions, cmd: Command) =>
    withClient(cmd, async ({ client, json: asJson }) => {
      const page = await fetchPages<Page<ProjectView>>(client, '/projects', opts);
      if (asJson) return json(page);
      if (page.items.length === 0) return out('No projects yet: `keygate projects create <name>`');
      out(
        table(
          ['ID', 'NAME', 'DESCRIPTION', 'CREATED'],
          page.items.map((p) => [p.id, p.name, p.description ?? '', time(p.createdAt)]),
        ),
      );
      morePages(page.nextCursor);
    }),
  );

  projects
    .command('show <projectId>')
    .description('show a project')
    .action((projectId: string, _opts: unknown, cmd: Command) =>
      withClient(cmd, async ({ client, json: asJson }) => {
        const project = await client.call<ProjectView>('GET', `/projects/${encodeURIComponent(projectId)}`);
        if (asJson) json(project);
        else showProject(project);
      }),
    );

  projects
    .command('delete <projectId>')
    .description('delete a project and revoke all its keys (asks first)')
    .option('-y, --yes', 'do not ask for confirmation')
    .action((projectId: string, opts: { yes?: boolean }, cmd: Command) =>
      withClient(cmd, async ({ client, json: asJson }) => {
        const path = `/projects/${encodeURIComponent(projectId)}`;
        const project = await client.call<ProjectView>('GET', path);
        await confirm(`Delete project ${project.id} (${project.name}) and revoke all its keys?`, opts.yes);
        await client.call('DELETE', path);
        if (asJson) json({ id: project.id, deleted: true });
        else out(`Deleted project ${project.id}; its keys are revoked.`);
      }),
    );

  return projects;
}
