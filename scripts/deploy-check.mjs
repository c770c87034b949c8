// `npm run deploy`'s predeploy step: reads the configuration `wrangler deploy` is about to ship (the
// same reader, so the same file and the same CLOUDFLARE_ENV environment) and refuses it while it
// still carries local development settings — the shipped loopback ORIGIN_URL above all, which a
// deployed keygate would answer with 500 misconfigured. The ORIGIN_URL rule is the Worker's own
// (src/config/origin-rule.mjs), and so is every URL upstream's in UPSTREAMS; a service upstream
// must name one of the configuration's [[services]] bindings. Where the Worker is reachable is reported, not refused: README
// "Deploy" says what workers_dev and routes mean. `--config <path>` reads another file (tests).

import { pathToFileURL } from 'node:url';
import { originUrlProblem } from '../src/config/origin-rule.mjs';

const DEPLOY = 'README, "Deploy"';

/** ORIGIN_URL's refusal in a deploy configuration's vars, or undefined. */
function originRefusal(vars) {
  const raw = vars.ORIGIN_URL;
  const where = `wrangler.toml [vars] has ORIGIN_URL = ${JSON.stringify(raw)}`;
  if (typeof raw !== 'string' || raw === '') {
    return 'ORIGIN_URL is not set: add your API\'s https URL to wrangler.toml [vars], e.g. ORIGIN_URL = "https://api.example.com"';
  }
  let url;
  try {
    url = new URL(raw);
  } catch {
    return `ORIGIN_URL is not a URL (${where}): set it to your API's https URL, e.g. "https://api.example.com"`;
  }
  const problem = originUrlProblem(url, { localDev: false, allowHttp: vars.ALLOW_HTTP_ORIGIN === 'true' });
  return problem === undefined ? undefined : `${problem} — ${where}`;
}

/** UPSTREAMS' refusals in a deploy configuration (`vars.UPSTREAMS`, a TOML table or its JSON text; `services`, its bindings). */
function upstreamRefusals(vars, services) {
  let upstreams = vars.UPSTREAMS;
  if (upstreams === undefined || upstreams === '') return [];
  if (typeof upstreams === 'string') {
    try {
      upstreams = JSON.parse(upstreams);
    } catch {
      return ['UPSTREAMS is not valid JSON (wrangler.toml [vars])'];
    }
  }
  if (typeof upstreams !== 'object' || upstreams === null || Array.isArray(upstreams)) return ['UPSTREAMS must be a table of upstreams'];
  const bound = new Set(services.map((s) => s.binding));
  const problems = [];
  for (const [name, upstream] of Object.entries(upstreams)) {
    const where = `UPSTREAMS.${name}`;
    if (typeof upstream?.service === 'string') {
      if (!bound.has(upstream.service))
        problems.push(`${where}.service names "${upstream.service}", which is no [[services]] binding of this configuration`);
      continue;
    }
    let url;
    try {
      url = new URL(upstream?.url);
    } catch {
      problems.push(`${where}.url is not a URL: set it to that upstream's https URL`);
      continue;
    }
    const problem = originUrlProblem(url, { localDev: false, allowHttp: vars.ALLOW_HTTP_ORIGIN === 'true', name: `${where}.url` });
    if (problem !== undefined) problems.push(`${problem} — wrangler.toml [vars] has ${where}.url = ${JSON.stringify(upstream.url)}`);
  }
  return problems;
}

/**
 * What stops a deploy of `config` (wrangler's parsed configuration: vars, services, workers_dev, routes),
 * each naming its fix, and what the operator should know about where the Worker will answer.
 */
export function deployCheck(config) {
  const vars = config.vars ?? {};
  const problems = [];
  const origin = originRefusal(vars);
  if (origin !== undefined) problems.push(origin);
  problems.push(...upstreamRefusals(vars, config.services ?? []));
  if (vars.LOCAL_DEV === 'true') {
    problems.push(
      'LOCAL_DEV = "true" is in the deploy configuration: it is for local runs only (npm start, the tests and the benchmarks set it themselves) and lets a loopback ORIGIN_URL through; remove it from wrangler.toml [vars]',
    );
  }
  const routes = [...(config.routes ?? []), ...(config.route ? [config.route] : [])];
  const notes = [];
  if (config.workers_dev === true) {
    notes.push(
      `workers_dev = true: keygate, its admin API and its dashboard also answer on ${config.name ?? 'keygate'}.<your-subdomain>.workers.dev, outside your zone's security rules, and the Cache API does nothing there (${DEPLOY})`,
    );
  } else if (routes.length === 0) {
    notes.push(
      `no route and workers_dev = false: the Worker will have no public URL until you give it your API's hostname — routes = [{ pattern = "api.example.com", custom_domain = true }] in wrangler.toml, or a Custom Domain in the dashboard (${DEPLOY})`,
    );
  }
  return { problems, notes };
}

/** The --config value of `argv`, or wrangler.toml. */
function configPath(argv) {
  const at = argv.indexOf('--config');
  return at === -1 ? 'wrangler.toml' : argv[at + 1];
}

async function main() {
  const { unstable_readConfig } = await import('wrangler');
  const path = configPath(process.argv.slice(2));
  const { problems, notes } = deployCheck(unstable_readConfig({ config: path, env: process.env.CLOUDFLARE_ENV }));
  for (const note of notes) console.log(`keygate deploy check: ${note}`);
  if (problems.length > 0) {
    for (const problem of problems) console.error(`keygate deploy check: not deploying: ${problem}.`);
    console.error(`keygate deploy check: fix ${path}, then run npm run deploy again (${DEPLOY}).`);
    process.exit(1);
  }
  console.log(`keygate deploy check: ${path} is ready to deploy.`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
