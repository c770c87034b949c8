// `npm start`: the example forms origin on 127.0.0.1:8788 and keygate in front of it under
// `wrangler dev --local-protocol https` on https://localhost:8787, with KV and Durable Objects
// persisted under .wrangler/state. Creates .dev.vars with a random ADMIN_TOKEN and an Ed25519
// ORIGIN_SIGNING_KEY on first run, and hands the key's public half to the example origin, which then
// verifies keygate's signature on every call.

import { spawn } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const DEV_VARS = '.dev.vars';
const PORT = process.env.KEYGATE_PORT ?? '8787';
const ORIGIN_PORT = process.env.ORIGIN_PORT ?? '8788';

function ensureAdminToken() {
  const text = existsSync(DEV_VARS) ? readFileSync(DEV_VARS, 'utf8') : '';
  if (/^ADMIN_TOKEN=.+/m.test(text)) return false;
  const token = randomBytes(32).toString('base64url');
  writeFileSync(DEV_VARS, `${text}${text && !text.endsWith('\n') ? '\n' : ''}ADMIN_TOKEN=${token}\n`, { mode: 0o600 });
  return true;
}

function readDevVar(name) {
  const text = existsSync(DEV_VARS) ? readFileSync(DEV_VARS, 'utf8') : '';
  const line = text.split(/\r?\n/).find((l) => l.startsWith(`${name}=`));
  return line?.slice(name.length + 1).replace(/^'(.*)'$/, '$1');
}

/** ORIGIN_SIGNING_KEY in .dev.vars (a new Ed25519 JWK unless there is one); returns its public JWK. */
function ensureSigningKey() {
  let raw = readDevVar('ORIGIN_SIGNING_KEY');
  const created = raw === undefined;
  if (created) {
    const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
    raw = JSON.stringify(jwk);
    const text = readFileSync(DEV_VARS, 'utf8');
    const note = '# Read by npm start and given to wrangler dev (which reads only [secrets].required from this file).';
    writeFileSync(DEV_VARS, `${text}${text.endsWith('\n') ? '' : '\n'}${note}\nORIGIN_SIGNING_KEY='${raw}'\n`, { mode: 0o600 });
  }
  const { kty, crv, x, kid } = JSON.parse(raw);
  createPrivateKey({ key: JSON.parse(raw), format: 'jwk' }); // a broken key stops here, not at the first call
  return { created, raw, publicJwk: { kty, crv, x, ...(kid === undefined ? {} : { kid }) } };
}

const created = ensureAdminToken();
console.log(`keygate: admin token ${created ? 'created in' : 'read from'} ${DEV_VARS}`);
const signing = ensureSigningKey();
console.log(
  `keygate: origin signing key ${signing.created ? 'created in' : 'read from'} ${DEV_VARS}; the example origin verifies with its public half`,
);
console.log(`keygate: https://localhost:${PORT} (self-signed: use curl -k) → example origin http://127.0.0.1:${ORIGIN_PORT}`);

// wrangler.toml already points at 127.0.0.1:8788; override only when ORIGIN_PORT moves it.
const originVar = ORIGIN_PORT === '8788' ? [] : ['--var', `ORIGIN_URL:http://127.0.0.1:${ORIGIN_PORT}`];
// ORIGIN_SIGNING_KEY is an optional secret: not in wrangler.toml's [secrets].required (that would make
// every deploy need one), so wrangler dev would not read it from .dev.vars; it goes in as a var.
originVar.push('--var', `ORIGIN_SIGNING_KEY:${signing.raw}`);
const children = [
  spawn(process.execPath, ['examples/forms-origin/server.mjs'], {
    stdio: 'inherit',
    env: { ...process.env, PORT: ORIGIN_PORT, KEYGATE_PUBLIC_JWK: JSON.stringify(signing.publicJwk) },
  }),
  spawn('wrangler', ['dev', '--local-protocol', 'https', '--port', PORT, '--persist-to', '.wrangler/state', ...originVar], {
    stdio: 'inherit',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  }),
];

let stopping = false;
function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 500).unref();
}
for (const child of children) child.on('exit', (code) => stop(code ?? 0));
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
