// Slicing a request URL string (the platform hands it over absolute and already parsed once:
// `new URL` again on every call costs more than these scans), and the one rule for URLs keygate
// calls out to: https, or http to a loopback host (tests and local runs).

/** Where the path of an absolute URL begins (its first '/' after the authority), or -1 for none. */
export function pathStart(url: string): number {
  return url.indexOf('/', url.indexOf('//') + 2);
}

/** The raw path of a request URL (no query, no fragment), as received; '/' when it has none. */
export function rawPath(url: string): string {
  const start = pathStart(url);
  if (start === -1) return '/';
  const q = url.indexOf('?', start);
  const h = url.indexOf('#', start);
  const end = q === -1 ? h : h === -1 ? q : Math.min(q, h);
  return end === -1 ? url.slice(start) : url.slice(start, end);
}

/** The path, query and fragment: everything after the authority ('' for none). */
export function pathAndAfter(url: string): string {
  const start = pathStart(url);
  return start === -1 ? '' : url.slice(start);
}

/** The authority the client addressed (on Cloudflare the URL host is the Host header). */
export function hostOf(url: string): string {
  const start = url.indexOf('//') + 2;
  const end = url.indexOf('/', start);
  return end === -1 ? url.slice(start) : url.slice(start, end);
}
