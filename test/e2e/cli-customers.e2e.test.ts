// The CLI's customers and plans commands, `keys create --customer/--plan/--credits`, and its verify
// tokens, against a real keygate (deploy bundle in workerd, https): every change is checked through
// the gateway (or its HTTP verifier).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, cliEnv, run } from './cli-runner';
import { startStack, type Stack } from './keygate-server';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

let stack: Stack;
let env: Record<string, string>;
let projectId: string;

beforeAll(async () => {
  buildCli();
  stack = await startStack({ USAGE_FLUSH_MS: '0' });
  env = cliEnv(stack);
  projectId = (await kg(['projects', 'create', 'customers test', '-q'])).stdout.trim();
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

const kg = (args: string[]) => run(['--insecure', ...args], env);

async function ok(args: string[]): Promise<string> {
  const res = await kg(args);
  expect(res.code, `${args.join(' ')}: ${res.stderr}`).toBe(0);
  return res.stdout;
}

async function call(key: string, path = '/forms/1'): Promise<Response> {
  const res = await fetch(`${stack.keygate.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  await res.clone().arrayBuffer();
  return res;
}

describe('e2e: CLI customers and plans', () => {
  it('a plan, a customer on it, two keys of the customer sharing its quota; moving plans keeps what was spent', async () => {
    const plan = (await ok(['plans', 'create', projectId, 'free', '--quota', '3/day', '-q'])).trim();
    expect(plan).toMatch(/^pln_/);
    expect(await ok(['plans', 'list', projectId])).toContain('3/day');
    const customer = (await ok(['customers', 'create', projectId, 'acme-1', 'Acme', '--plan', plan, '-q'])).trim();
    expect(customer).toMatch(/^cus_/);
    const a = (await ok(['keys', 'create', projectId, 'a', '--scope', 'forms:read', '--customer', customer, '-q'])).trim();
    const b = (await ok(['keys', 'create', projectId, 'b', '--scope', 'forms:read', '--customer', customer, '-q'])).trim();
    const statuses = [];
    for (const key of [a, b, a, b]) statuses.push((await call(key)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(await ok(['customers', 'show', customer])).toMatch(/quota\s+0 of 3 left this day/);
    const pro = (await ok(['plans', 'create', projectId, 'pro', '--quota', '5/day', '-q'])).trim();
    await ok(['customers', 'update', customer, '--plan', pro]);
    expect(await ok(['customers', 'show', customer])).toMatch(/quota\s+2 of 5 left this day/);
    expect((await call(b)).status).toBe(200);
    // Its usage: both keys' calls together, the customer named; its top keys are its two.
    const usage = await ok(['usage', '--customer', customer, '--granularity', 'minute']);
    expect(usage).toMatch(new RegExp(`Usage of customer ${customer} \\(Acme\\) · by minute`));
    expect(usage).toMatch(/Total {2}5 calls/);
    expect(usage).toMatch(/^allowed\s+4\s+80%$/m);
    expect(usage).toMatch(/^quota-exceeded\s+1\s+20%$/m);
    expect((await kg(['usage', '--customer', customer, '--key', a])).code, 'one subject at a time').toBe(2);
    // `free` is held by nobody now and goes; `pro` is held: the API's 409, exit 1.
    expect((await kg(['plans', 'delete', pro, '--yes'])).code).toBe(1);
    expect((await kg(['plans', 'delete', plan, '--yes'])).code).toBe(0);
    expect(await ok(['customers', 'list', projectId])).toContain('acme-1');
  });

  it('credits: keys create --credits --refill, customers credits --add; the balance is in Keygate-Credits-Remaining', async () => {
    const key = (
      await ok(['keys', 'create', projectId, 'paid', '--scope', 'forms:read', '--credits', '2', '--refill', 'to:2/day', '-q'])
    ).trim();
    expect((await call(key)).headers.get('keygate-credits-remaining')).toBe('1');
    const customer = (await ok(['customers', 'create', projectId, 'acme-2', 'Acme 2', '--credits', '1', '-q'])).trim();
    const ofCustomer = (await ok(['keys', 'create', projectId, 'c', '--scope', 'forms:read', '--customer', customer, '-q'])).trim();
    expect((await call(ofCustomer)).status).toBe(200);
    expect((await call(ofCustomer)).status).toBe(429);
    expect(await ok(['customers', 'credits', customer, '--add', '5'])).toContain('Balance: 5');
    expect((await call(ofCustomer)).headers.get('keygate-credits-remaining')).toBe('4');
    expect((await kg(['customers', 'credits', customer])).code).toBe(2);
    expect((await kg(['keys', 'create', projectId, 'x', '--refill', 'to:1/day'])).code).toBe(2);
  });

  it('deleting a customer revokes its keys', async () => {
    const customer = (await ok(['customers', 'create', projectId, 'acme-3', 'Acme 3', '-q'])).trim();
    const key = (await ok(['keys', 'create', projectId, 'd', '--scope', 'forms:read', '--customer', customer, '-q'])).trim();
    expect((await call(key)).status).toBe(200);
    expect(await ok(['customers', 'delete', customer, '--yes'])).toContain('its keys are revoked');
    expect((await call(key)).status).toBe(401);
  });

  it('verify-tokens: create -q prints only the token, which verifies a key over HTTP; list -q its ids; revoke --yes refuses it', async () => {
    const token = (await ok(['verify-tokens', 'create', projectId, 'billing service', '-q'])).trim();
    expect(token).toMatch(/^kgvt_[0-9A-Za-z]{40}$/);
    const key = (await ok(['keys', 'create', projectId, 'verified', '--scope', 'forms:read', '-q'])).trim();
    const verify = (bearer: string) =>
      fetch(`${stack.keygate.url}/_keygate/v1/verify`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        body: JSON.stringify({ key, method: 'GET', path: '/forms/1', clientIp: '203.0.113.7' }),
      });
    const allowed = await verify(token);
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toMatchObject({ valid: true, code: 'allowed' });

    const ids = (await ok(['verify-tokens', 'list', projectId, '-q'])).trim().split('\n');
    expect(ids).toHaveLength(1);
    expect(ids[0]).toMatch(/^vtk_/);
    const human = await ok(['verify-tokens', 'list', projectId]);
    expect(human).toContain('billing service');
    expect(human).not.toContain(token);
    await ok(['verify-tokens', 'revoke', ids[0] as string, '--yes']);
    expect(await ok(['verify-tokens', 'list', projectId])).toMatch(/billing service\s+kgvt_\S+\s+revoked/);
    expect((await verify(token)).status).toBe(401);
  });
});
