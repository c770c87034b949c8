// `npm start`: the example forms origin on 127.0.0.1:8788 and keygate in front of it under
// `wrangler dev --local-protocol https` on https://localhost:8787, with KV and Durable Objects
// persisted under .wrangler/state. Creates .dev.vars with a random ADMIN_TOKEN on first run.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
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

const created = ensureAdminToken();
console.log(`keygate: admin token ${created ? 'created in' : 'read from'} ${DEV_VARS}`);
console.log(`keygate: https://localhost:${PORT} (self-signed: use curl -k) → example origin http://127.0.0.1:${ORIGIN_PORT}`);

// wrangler.toml already points at 127.0.0.1:8788; override only when ORIGIN_PORT moves it.
const originVar = ORIGIN_PORT === '8788' ? [] : ['--var', `ORIGIN_URL:http://127.0.0.1:${ORIGIN_PORT}`];
const children = [
  spawn(process.execPath, ['examples/forms-origin/server.mjs'], { stdio: 'inherit', env: { ...process.env, PORT: ORIGIN_PORT } }),
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
