// The one rule for ORIGIN_URL, shared by the Worker's configuration (config/origin.ts: 500
// misconfigured) and the deploy check (scripts/deploy-check.mjs, run before `npm run deploy`), so
// that the two cannot disagree. Plain ESM without imports: the Worker bundles it, Node runs it.
//
// A loopback origin is this machine in local development and nothing once deployed, so it is
// accepted only where LOCAL_DEV is "true" — which npm start, the tests and the benchmarks set, and
// wrangler.toml never does (the deploy check refuses it there). Plain http is accepted for loopback
// in local development and, deployed, only with ALLOW_HTTP_ORIGIN = "true".

/**
 * True for a host that is this machine: `localhost` and `*.localhost`, 127.0.0.0/8, `::1`, the
 * unspecified addresses (0.0.0.0, `::`), IPv4-mapped loopback. `hostname` as `URL` gives it (IPv4
 * spellings such as `127.1` or `0x7f000001` already normalized, IPv6 in brackets).
 */
export function isLoopbackHost(hostname) {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) ||
    host === '0.0.0.0' ||
    host === '[::1]' ||
    host === '[::]' ||
    /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(host)
  );
}

const HTTPS_ONLY = 'ORIGIN_URL must be https (http only for a loopback origin in local development, or with ALLOW_HTTP_ORIGIN = "true")';
const LOOPBACK =
  "ORIGIN_URL is a loopback address, which reaches nothing once deployed: set it to your API's https URL " +
  '(wrangler.toml [vars], e.g. ORIGIN_URL = "https://api.example.com"). A loopback origin is for local runs, ' +
  'with LOCAL_DEV = "true" (npm start, the tests and the benchmarks set it)';

/**
 * Why `url` cannot be ORIGIN_URL, or undefined when it can. `localDev`: LOCAL_DEV is "true";
 * `allowHttp`: ALLOW_HTTP_ORIGIN is "true". The message names the fix and never the URL itself
 * (the Worker serves it in a problem body).
 */
export function originUrlProblem(url, { localDev, allowHttp }) {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return HTTPS_ONLY;
  const loopback = isLoopbackHost(url.hostname);
  if (loopback && !localDev) return LOOPBACK;
  if (url.protocol === 'http:' && !loopback && !allowHttp) return HTTPS_ONLY;
  if (url.search || url.hash || url.username || url.password) return 'ORIGIN_URL must not carry a query, fragment or credentials';
  return undefined;
}
