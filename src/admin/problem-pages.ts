// The page of every problem type, at the URI its `type` member names (/_keygate/problems/<name>),
// and an index of them all: what the problem means and how to fix it, built from the closed
// registry (errors/problems.ts + problem-docs.ts), so every type has a page and no page is stale.
// Plain HTML under a CSP that allows nothing at all beyond the document itself.

import { Hono } from 'hono';
import type { AppEnv } from '../app-env';
import { PROBLEM_DOCS, type ProblemDoc } from '../errors/problem-docs';
import { PROBLEM_PAGES, PROBLEMS, problemTypeUri, type ProblemType } from '../errors/problems';

const CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const NAMES = Object.keys(PROBLEMS) as ProblemType[];

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} · keygate</title></head>
<body>
${body}
</body>
</html>
`;
}

function problemPage(name: ProblemType): string {
  const { status, title } = PROBLEMS[name];
  const doc: ProblemDoc = PROBLEM_DOCS[name];
  const headers = doc.headers === undefined ? '' : `<h2>Headers that come with it</h2>\n<p><code>${escapeHtml(doc.headers)}</code></p>\n`;
  return page(
    title,
    `<p><a href="${PROBLEM_PAGES}">keygate problem types</a></p>
<h1>${escapeHtml(title)}</h1>
<p>Problem type <code>${problemTypeUri(name)}</code> · HTTP ${status} · met by ${doc.audience}</p>
<h2>What it means</h2>
<p>${escapeHtml(doc.means)}</p>
<h2>How to fix it</h2>
<p>${escapeHtml(doc.fix)}</p>
${headers}<h2>The response</h2>
<p>An <code>application/problem+json</code> body (RFC 9457) with <code>type</code>, <code>title</code>, <code>status</code>, usually <code>detail</code>, and <code>requestId</code>; the same id is in the <code>X-Request-Id</code> header. Quote it when you ask the API owner for help.</p>`,
  );
}

function indexPage(): string {
  const rows = NAMES.map((name) => {
    const { status, title } = PROBLEMS[name];
    return `<tr><td><a href="${problemTypeUri(name)}"><code>${name}</code></a></td><td>${status}</td><td>${escapeHtml(title)}</td><td>${PROBLEM_DOCS[name].audience}</td></tr>`;
  });
  return page(
    'Problem types',
    `<h1>keygate problem types</h1>
<p>Every error keygate answers is an <code>application/problem+json</code> body (RFC 9457) whose <code>type</code> is the address of one of these pages.</p>
<table>
<thead><tr><th>type</th><th>status</th><th>title</th><th>met by</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`,
  );
}

function html(text: string): Response {
  return new Response(text, {
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'public, max-age=3600',
    },
  });
}

export const problemPages = new Hono<AppEnv>();

/** Pages built on first use: the data plane, which loads this module too, never pays for them. */
const built = new Map<string, string>();
function cached(key: string, build: () => string): string {
  let text = built.get(key);
  if (text === undefined) built.set(key, (text = build()));
  return text;
}

problemPages.get(PROBLEM_PAGES, () => html(cached('', indexPage)));
// Literal paths only (an unknown name falls through to 404 not-found): a pattern route would push
// Hono off its RegExpRouter for every request.
for (const name of NAMES) problemPages.get(problemTypeUri(name), () => html(cached(name, () => problemPage(name))));
