// The deploy check (`npm run deploy` runs scripts/deploy-check.mjs first, as `predeploy`): the
// configuration this repository ships is refused, naming the fix; the same file with an https
// ORIGIN_URL deploys; local development settings never go out. The script is run for real, with
// wrangler's own configuration reader, on the shipped wrangler.toml and on edited copies of it.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deployCheck } from '../../scripts/deploy-check.mjs';

const SHIPPED = readFileSync('wrangler.toml', 'utf8');

/** Runs the check on `toml` (the shipped file when undefined), as `npm run deploy` would. */
function check(toml?: string): { status: number | null; stdout: string; stderr: string } {
  const args = ['scripts/deploy-check.mjs'];
  if (toml !== undefined) {
    const path = join(mkdtempSync(join(tmpdir(), 'kg-deploy-')), 'wrangler.toml');
    writeFileSync(path, toml);
    args.push('--config', path);
  }
  const run = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, CLOUDFLARE_ENV: '' } });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The shipped wrangler.toml with its ORIGIN_URL line replaced by `line`, and its UPSTREAMS line by `upstreams` (an https one unless given). */
function withOrigin(line: string, upstreams = 'UPSTREAMS = { reports = { url = "https://reports.example.com" } }'): string {
  const edited = SHIPPED.replace(/^ORIGIN_URL = .*$/m, line).replace(/^UPSTREAMS = .*$/m, upstreams);
  expect(edited).not.toBe(SHIPPED);
  return edited;
}

describe('npm run deploy: the deploy check', () => {
  it('runs before every `npm run deploy` (the predeploy script)', () => {
    const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    expect(scripts.deploy).toBe('wrangler deploy');
    expect(scripts.predeploy).toBe('node scripts/deploy-check.mjs');
  });

  it('refuses the shipped wrangler.toml: its loopback ORIGIN_URL, with the fix named', () => {
    const run = check();
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('not deploying: ORIGIN_URL is a loopback address');
    expect(run.stderr).toContain('ORIGIN_URL = "http://127.0.0.1:8788"');
    expect(run.stderr).toContain('set it to your API\'s https URL (wrangler.toml [vars], e.g. ORIGIN_URL = "https://api.example.com")');
  });

  it('accepts the shipped wrangler.toml once ORIGIN_URL is https, and says where the Worker will answer', () => {
    const run = check(withOrigin('ORIGIN_URL = "https://api.example.com"'));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('is ready to deploy');
    expect(run.stdout).toContain('no route and workers_dev = false: the Worker will have no public URL');
  });

  it('checks every URL upstream by the rule of ORIGIN_URL, and every service upstream against [[services]]', () => {
    const https = 'ORIGIN_URL = "https://api.example.com"';
    expect(check(withOrigin(https, 'UPSTREAMS = { reports = { url = "http://127.0.0.1:8789" } }')).stderr).toContain(
      'not deploying: UPSTREAMS.reports.url is a loopback address, which reaches nothing once deployed',
    );
    expect(check(withOrigin(https, 'UPSTREAMS = { reports = { url = "http://reports.example.com" } }')).stderr).toContain(
      'UPSTREAMS.reports.url must be https',
    );
    const service = withOrigin(https, 'UPSTREAMS = { tools = { service = "TOOLS" } }');
    expect(check(service).stderr).toContain(
      'UPSTREAMS.tools.service names "TOOLS", which is no [[services]] binding of this configuration',
    );
    const bound = `${service}\n[[services]]\nbinding = "TOOLS"\nservice = "tools-worker"\n`;
    expect(check(bound)).toMatchObject({ status: 0, stderr: '' });
  });

  it('refuses plain http (unless ALLOW_HTTP_ORIGIN), https to loopback, and a missing ORIGIN_URL', () => {
    expect(check(withOrigin('ORIGIN_URL = "http://api.example.com"')).stderr).toContain('ORIGIN_URL must be https');
    expect(check(withOrigin('ORIGIN_URL = "https://localhost:8443"')).stderr).toContain('ORIGIN_URL is a loopback address');
    expect(check(withOrigin('# no origin')).stderr).toContain('ORIGIN_URL is not set');
    const allowed = withOrigin('ORIGIN_URL = "http://api.example.com"\nALLOW_HTTP_ORIGIN = "true"');
    expect(check(allowed).status).toBe(0);
  });

  it('refuses LOCAL_DEV in the deploy configuration, even beside an https origin', () => {
    const run = check(withOrigin('ORIGIN_URL = "https://api.example.com"\nLOCAL_DEV = "true"'));
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('LOCAL_DEV = "true" is in the deploy configuration');
    expect(run.stderr).toContain('remove it from wrangler.toml [vars]');
  });

  it('reports workers_dev = true and a route without refusing them', () => {
    const origin = { ORIGIN_URL: 'https://api.example.com' };
    const dev = deployCheck({ name: 'keygate', vars: origin, workers_dev: true });
    expect(dev.problems).toEqual([]);
    expect(dev.notes).toEqual([expect.stringContaining('also answer on keygate.<your-subdomain>.workers.dev')]);
    const routed = deployCheck({ vars: origin, workers_dev: false, routes: [{ pattern: 'api.example.com', custom_domain: true }] });
    expect(routed).toEqual({ problems: [], notes: [] });
  });
});
