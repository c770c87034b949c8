// `npm start`: the example forms origin on 127.0.0.1:8788, the example reports origin (the upstream
// "reports") on 127.0.0.1:8789, and keygate in front of them under wrangler's dev server on
// https://localhost:8787 (self-signed), with KV and Durable Objects persisted under
// .wrangler/state. Creates .dev.vars with a random ADMIN_TOKEN and an Ed25519 ORIGIN_SIGNING_KEY on
// first run and hands the key's public half to the example origin, which then verifies keygate's
// signature on every call. No secret is put on a command line (scripts/dev-setup.mjs says how).

import { spawn } from 'node:child_process';
import { format } from 'node:util';
import { unstable_startWorker } from 'wrangler';
import { devPlan, ensureAdminToken, ensureSigningKey, scheduledHint, startLog } from './dev-setup.mjs';

const DEV_VARS = '.dev.vars';
const PORT = process.env.KEYGATE_PORT ?? '8787';
const ORIGIN_PORT = process.env.ORIGIN_PORT ?? '8788';
const REPORTS_PORT = process.env.REPORTS_PORT ?? '8789';

const created = ensureAdminToken(DEV_VARS);
console.log(`keygate: admin token ${created ? 'created in' : 'read from'} ${DEV_VARS}`);
const signing = ensureSigningKey(DEV_VARS);
console.log(
  `keygate: origin signing key ${signing.created ? 'created in' : 'read from'} ${DEV_VARS}; the example origin verifies with its public half`,
);
const HTTPS_URL = `https://localhost:${PORT}`;
console.log(
  `keygate: ${HTTPS_URL} (self-signed: use curl -k) → example origin http://127.0.0.1:${ORIGIN_PORT}, /reports/* → http://127.0.0.1:${REPORTS_PORT}`,
);

// wrangler and miniflare run in this process and log through the console: npm start's own words
// replace their TLS handshake errors and offline request.cf warnings (dev-setup.mjs startLog).
const shown = startLog(HTTPS_URL);
for (const method of ['log', 'warn', 'error']) {
  const write = console[method].bind(console);
  console[method] = (...args) => {
    const text = shown(format(...args));
    if (text !== undefined) write(text);
  };
}

process.env.WRANGLER_SEND_METRICS = 'false';
const plan = devPlan({ port: PORT, originPort: ORIGIN_PORT, reportsPort: REPORTS_PORT, signing });
const origins = [plan.origin, plan.reports].map((o) => spawn(o.command, o.args, { stdio: 'inherit', env: { ...process.env, ...o.env } }));
let worker;

let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const origin of origins) if (origin.exitCode === null) origin.kill('SIGTERM');
  await worker?.dispose().catch(() => undefined);
  process.exit(code);
}
for (const origin of origins) origin.on('exit', (code) => void stop(code ?? 0));
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

try {
  worker = await unstable_startWorker(plan.worker);
  await worker.ready;
  const url = String(await worker.url);
  console.log(`keygate: dashboard ${url}_keygate/ui, admin API docs ${url}_keygate/docs (sign in with ADMIN_TOKEN from ${DEV_VARS})`);
  const crons = (worker.config.triggers ?? []).flatMap((t) => (t.type === 'cron' ? [t.cron] : []));
  const hint = scheduledHint(url, crons);
  if (hint !== undefined) console.log(hint);
} catch (error) {
  console.error('keygate: wrangler dev did not start:', error);
  await stop(1);
}
