// Method overrides: ways for a request to name another method than its own, which frameworks honour
// (Express method-override, Symfony, ASP.NET, OData, Laravel, Rails). keygate authorizes the method
// on the request line, so the origin must never be asked for another one: the headers are dropped
// (headers.ts; the origin then executes exactly the method authorized), and a `_method` query
// parameter — part of the URL keygate forwards byte for byte — is refused. The same class: headers
// that name another path (IIS and Symfony's X-Original-URL / X-Rewrite-URL) are dropped too.

import { queryNames } from './url-decode';

/** Request headers that name another method or path than the request's own: never forwarded. */
export const OVERRIDE_HEADERS = ['x-http-method-override', 'x-http-method', 'x-method-override', 'x-original-url', 'x-rewrite-url'];

/** The query parameter Laravel, Rails and Express method-override read a method from. */
const METHOD_PARAM = '_method';

/** Null when the URL's query names no method, else why it is refused. */
export function methodOverrideReason(url: string): string | null {
  const q = url.indexOf('?');
  if (q === -1) return null;
  // Cheap first look: the name spelled plainly, or escaped somehow.
  const query = url.slice(q);
  if (!query.includes('%') && !/_method/i.test(query)) return null;
  return queryNames(url).includes(METHOD_PARAM)
    ? 'a "_method" query parameter asks the origin for another method; send that method itself'
    : null;
}
