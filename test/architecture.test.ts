// The layout of src/ as rules on its imports (README "Contributing"): who may import whom, and no
// circles. The sources are read as text at build time (Vite's import.meta.glob), so the rules hold
// for every file, type-only imports included.

/// <reference types="vite/client" />

import { describe, expect, it } from 'vitest';

const SOURCES = import.meta.glob<string>(['../src/**/*.ts', '../src/**/*.mts', '../src/**/*.mjs', '!../src/**/*.d.ts'], {
  query: '?raw',
  import: 'default',
  eager: true,
});

/** Repository-relative path ('src/…') → its text. */
const files = new Map(Object.entries(SOURCES).map(([path, text]) => [path.replace(/^\.\.\//, ''), text]));

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm;

function normalize(parts: string[]): string {
  const out: string[] = [];
  for (const p of parts) {
    if (p === '..') out.pop();
    else if (p !== '.' && p !== '') out.push(p);
  }
  return out.join('/');
}

/** The file a relative specifier names, as the bundler would find it. */
function resolveSpecifier(from: string, spec: string): string | undefined {
  const base = normalize([...from.split('/').slice(0, -1), ...spec.split('/')]);
  for (const candidate of [base, `${base}.ts`, `${base}/index.ts`, base.replace(/\.mjs$/, '.d.mts')]) {
    if (files.has(candidate)) return candidate;
  }
  return undefined;
}

/** Every file's imports of other files of src/ (packages left out). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const [path, text] of files) {
    const targets: string[] = [];
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (spec === undefined || !spec.startsWith('.')) continue;
      // The release's version (the admin API's /version and the OpenAPI document's) is package.json's.
      if (spec === '../../package.json' && path.startsWith('src/admin/')) continue;
      const target = resolveSpecifier(path, spec);
      if (target === undefined) throw new Error(`${path}: cannot resolve "${spec}"`);
      targets.push(target);
    }
    graph.set(path, targets);
  }
  return graph;
}

/** The strongly connected components with more than one file (or a file importing itself). */
function circles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    indices.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!indices.has(v)) visit(v);
  return found;
}

/** The top-level folder of src/ a file sits in ('' for src/ itself). */
const area = (path: string): string => (path.split('/').length > 2 ? (path.split('/')[1] ?? '') : '');

/** Imports from files in `from` to areas outside `allowed`, as "file → target" lines. */
function importsOutside(graph: Map<string, string[]>, from: string, allowed: readonly string[]): string[] {
  const bad: string[] = [];
  for (const [path, targets] of graph) {
    if (area(path) !== from) continue;
    for (const t of targets) if (!allowed.includes(area(t))) bad.push(`${path} → ${t}`);
  }
  return bad;
}

function importsInto(graph: Map<string, string[]>, from: string, forbidden: readonly string[]): string[] {
  const bad: string[] = [];
  for (const [path, targets] of graph) {
    if (area(path) !== from) continue;
    for (const t of targets) if (forbidden.includes(area(t))) bad.push(`${path} → ${t}`);
  }
  return bad;
}

describe('the layout of src/', () => {
  const graph = importGraph();

  it('reads every source file (the rules below cannot pass by reading nothing)', () => {
    expect(files.size).toBeGreaterThan(80);
    for (const required of [
      'src/app.ts',
      'src/index.ts',
      'src/edge/gateway.ts',
      'src/objects/registry/object.ts',
      'src/core/key-format.ts',
    ]) {
      expect(files.has(required), required).toBe(true);
    }
    expect(graph.get('src/app.ts')!.length).toBeGreaterThan(10);
  });

  it('has no import circles, type-only imports included', () => {
    expect(circles(graph)).toEqual([]);
  });

  it('core/ imports only core/ and errors/: pure code, no platform state', () => {
    expect(importsOutside(graph, 'core', ['core', 'errors'])).toEqual([]);
  });

  it('errors/ imports nothing outside errors/', () => {
    expect(importsOutside(graph, 'errors', ['errors'])).toEqual([]);
  });

  it('objects/ never imports the data plane (edge/) or the admin API (admin/)', () => {
    expect(importsInto(graph, 'objects', ['edge', 'admin'])).toEqual([]);
  });

  it('config/ never imports the planes or the objects (configuration is parsed, not served)', () => {
    expect(importsInto(graph, 'config', ['edge', 'admin', 'objects'])).toEqual([]);
  });

  it('the data plane never imports the admin API, and the admin API never imports a step', () => {
    expect(importsInto(graph, 'edge', ['admin'])).toEqual([]);
    const adminIntoSteps = [...graph].flatMap(([path, targets]) =>
      area(path) === 'admin' ? targets.filter((t) => t.startsWith('src/edge/steps/')).map((t) => `${path} → ${t}`) : [],
    );
    expect(adminIntoSteps).toEqual([]);
  });

  it("a Durable Object stub is got only in its object's client.ts", () => {
    const getters = [...files].filter(
      ([path, text]) => /\.(get|getByName|idFromName)\(/.test(text) && /env\.(REGISTRY|FEED|LIMITER|USAGE|WEBHOOKS)\b/.test(text),
    );
    for (const [path] of getters) expect(path, path).toMatch(/^src\/objects\/[a-z-]+\/client\.ts$/);
  });
});

describe('the rules catch what they are for (checked on made-up graphs)', () => {
  it('a circle of two and a self-import are found; a chain is not', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['a']],
      ['c', ['c']],
      ['d', ['e']],
      ['e', []],
    ]);
    expect(circles(g)).toEqual([['a', 'b'], ['c']]);
  });

  it('an import from core/ into edge/ is reported', () => {
    const g = new Map([['src/core/x.ts', ['src/edge/y.ts', 'src/core/z.ts', 'src/errors/problems.ts']]]);
    expect(importsOutside(g, 'core', ['core', 'errors'])).toEqual(['src/core/x.ts → src/edge/y.ts']);
  });
});
