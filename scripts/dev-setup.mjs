// npm start's pieces (scripts/start.mjs runs them): the dev secrets in .dev.vars, created on first
// run, and the plan of what to start. Secrets never go on a command line or into an environment: the
// example origin gets only the signing key's public half, and the Worker gets ORIGIN_SIGNING_KEY as
// an in-memory secret binding of wrangler's dev server (`unstable_startWorker`). `wrangler dev` on
// the command line could not take it otherwise: with [secrets] in wrangler.toml it reads from
// .dev.vars only the names in `required` (ADMIN_TOKEN), and `--var` puts the value in argv (`ps`).

import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';

/** The value of `name` in a .dev.vars text (dotenv lines; single quotes around a value dropped). */
export function readDevVar(text, name) {
  const line = text.split(/\r?\n/).find((l) => l.startsWith(`${name}=`));
  return line?.slice(name.length + 1).replace(/^'(.*)'$/, '$1');
}

/** Writes `lines` for `name` into `path`: in place of its empty line (`NAME=`, as .dev.vars.example has it), or at the end. */
function put(path, name, lines) {
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const empty = new RegExp(`^${name}=(?:''|"")?[ \\t]*$`, 'm');
  const next = empty.test(text)
    ? text.replace(empty, () => lines.join('\n'))
    : `${text}${text && !text.endsWith('\n') ? '\n' : ''}${lines.join('\n')}\n`;
  writeFileSync(path, next, { mode: 0o600 });
}

/** ADMIN_TOKEN in `path` (a random one unless there is one); true when it was created. */
export function ensureAdminToken(path) {
  if (readDevVar(existsSync(path) ? readFileSync(path, 'utf8') : '', 'ADMIN_TOKEN')) return false;
  put(path, 'ADMIN_TOKEN', [`ADMIN_TOKEN=${randomBytes(32).toString('base64url')}`]);
  return true;
}

/** ORIGIN_SIGNING_KEY in `path` (a new Ed25519 JWK unless there is one), with its public JWK. */
export function ensureSigningKey(path) {
  let raw = readDevVar(existsSync(path) ? readFileSync(path, 'utf8') : '', 'ORIGIN_SIGNING_KEY');
  const created = !raw;
  if (created) {
    raw = JSON.stringify(generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }));
    put(path, 'ORIGIN_SIGNING_KEY', [
      '# Read by npm start, which hands it to wrangler dev in memory (never on a command line).',
      `ORIGIN_SIGNING_KEY='${raw}'`,
    ]);
  }
  const { kty, crv, x, kid } = JSON.parse(raw);
  createPrivateKey({ key: JSON.parse(raw), format: 'jwk' }); // a broken key stops here, not at the first call
  return { created, raw, publicJwk: { kty, crv, x, ...(kid === undefined ? {} : { kid }) } };
}

/**
 * What npm start runs: the example origins (child processes: the forms origin, ORIGIN_URL, and the
 * reports origin, the upstream "reports"; their argv and added environment) and keygate under
 * wrangler's dev server (the input of `unstable_startWorker`, in this process).
 */
export function devPlan({ port, originPort, reportsPort = '8789', signing, nodePath = process.execPath }) {
  // LOCAL_DEV: the example origin is on loopback, which keygate accepts only in local development
  // (wrangler.toml never sets it: the deploy check refuses it there).
  const bindings = {
    ORIGIN_SIGNING_KEY: { type: 'secret_text', value: signing.raw },
    LOCAL_DEV: { type: 'plain_text', value: 'true' },
  };
  // wrangler.toml already points at 127.0.0.1:8788; override only when ORIGIN_PORT moves it.
  if (originPort !== '8788') bindings.ORIGIN_URL = { type: 'plain_text', value: `http://127.0.0.1:${originPort}` };
  // …and its UPSTREAMS at 127.0.0.1:8789; the same when REPORTS_PORT moves it.
  if (reportsPort !== '8789') bindings.UPSTREAMS = { type: 'json', value: { reports: { url: `http://127.0.0.1:${reportsPort}` } } };
  const verifying = { KEYGATE_PUBLIC_JWK: JSON.stringify(signing.publicJwk) };
  return {
    origin: { command: nodePath, args: ['examples/forms-origin/server.mjs'], env: { PORT: originPort, ...verifying } },
    reports: { command: nodePath, args: ['examples/reports-origin/server.mjs'], env: { PORT: reportsPort, ...verifying } },
    worker: {
      config: 'wrangler.toml',
      bindings,
      dev: { server: { port: Number(port), secure: true }, persist: '.wrangler/state' },
    },
  };
}

/**
 * npm start's log: what it prints in place of a line that wrangler or miniflare logs (undefined:
 * nothing). A failed TLS handshake (an error for each) is explained once, in keygate's words, then
 * shown in one line each; the fetch of Cloudflare's sample `request.cf` object, which fails offline
 * with a stack trace from each of wrangler's two runtimes, becomes one line, once. Everything else
 * passes unchanged.
 */
export function startLog(url) {
  let handshakes = 0;
  let cfSample = false;
  return (text) => {
    const plain = stripVTControlCharacters(text);
    const failed = /TLS handshake failed:? *([^\n]*)/.exec(plain);
    if (failed !== null) {
      const why = failed[1].trim() || 'no reason given';
      handshakes++;
      if (handshakes > 1) return `keygate: TLS handshake failed again (${why})`;
      return (
        `keygate: a TLS handshake failed (${why}). That is expected: ${url} has a self-signed certificate, so a ` +
        'browser fails its first handshakes until you accept the certificate, and so does a client that speaks plain ' +
        'http to it or refuses the certificate (curl without -k). Later ones are shown in one line each.'
      );
    }
    if (plain.includes('Unable to fetch the `Request.cf` object')) {
      if (cfSample) return undefined;
      cfSample = true;
      return "keygate: Cloudflare's sample request.cf object could not be fetched (offline?): local calls carry wrangler's placeholder (country US).";
    }
    return text;
  };
}

/** The line that says how to run the cron trigger locally, over https as the dev server speaks it. */
export function scheduledHint(url, crons) {
  if (crons.length === 0) return undefined;
  const base = url.replace(/\/$/, '');
  return `keygate: the cron trigger (${crons.join(', ')}: key.expiring webhooks) does not fire by itself locally; run it with: curl -k "${base}/cdn-cgi/local/scheduled"`;
}
