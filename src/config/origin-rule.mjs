// The one rule for ORIGIN_URL and every upstream URL (UPSTREAMS), shared by the Worker's configuration (config/origin.ts: 500
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

/** The messages for the setting `name` (ORIGIN_URL, or an upstream's `UPSTREAMS.<name>.url`). */
function messages(name) {
  const httpsOnly = `${name} must be https (http only for a loopback origin in local development, or with ALLOW_HTTP_ORIGIN = "true")`;
  const fix =
    name === 'ORIGIN_URL'
      ? 'set it to your API\'s https URL (wrangler.toml [vars], e.g. ORIGIN_URL = "https://api.example.com")'
      : 'set it to that upstream\'s https URL (wrangler.toml [vars] UPSTREAMS), or bind a Worker as its "service"';
  const loopback =
    `${name} is a loopback address, which reaches nothing once deployed: ${fix}. A loopback origin is for local runs, ` +
    'with LOCAL_DEV = "true" (npm start, the tests and the benchmarks set it)';
  return { httpsOnly, loopback, extras: `${name} must not carry a query, fragment or credentials` };
}

/**
 * Why `url` cannot be ORIGIN_URL (or the URL of the upstream `name` names), or undefined when it
 * can. `localDev`: LOCAL_DEV is "true"; `allowHttp`: ALLOW_HTTP_ORIGIN is "true". The message
 * names the fix and never the URL itself (the Worker serves it in a problem body).
 */
export function originUrlProblem(url, { localDev, allowHttp, name = 'ORIGIN_URL' }) {
  const say = messages(name);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return say.httpsOnly;
  const loopback = isLoopbackHost(url.hostname);
  if (loopback && !localDev) return say.loopback;
  if (url.protocol === 'http:' && !loopback && !allowHttp) return say.httpsOnly;
  if (url.search || url.hash || url.username || url.password) return say.extras;
  return undefined;
}
