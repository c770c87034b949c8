// npm start (scripts/dev-setup.mjs): no dev secret on any command line (`ps` shows every argv to
// every user) nor in any environment it hands a child; the signing key reaches wrangler's dev server
// only as an in-memory secret binding. The Worker runs as local development (LOCAL_DEV), and the log
// says in keygate's words what a failed TLS handshake means and how to run the cron trigger.

import { copyFileSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { devPlan, ensureAdminToken, ensureSigningKey, readDevVar, scheduledHint, startLog } from '../../scripts/dev-setup.mjs';

function devVars(): { path: string; token: string; signing: ReturnType<typeof ensureSigningKey>; secrets: string[] } {
  const path = join(mkdtempSync(join(tmpdir(), 'kg-start-')), '.dev.vars');
  expect(ensureAdminToken(path)).toBe(true);
  const signing = ensureSigningKey(path);
  const token = readDevVar(readFileSync(path, 'utf8'), 'ADMIN_TOKEN') as string;
  const privateD = (JSON.parse(signing.raw) as { d: string }).d;
  return { path, token, signing, secrets: [token, signing.raw, privateD] };
}

describe('npm start', () => {
  it('puts no secret in any argv or child environment, on either port setting', () => {
    const { secrets, signing } = devVars();
    for (const originPort of ['8788', '18788']) {
      const plan = devPlan({ port: '8787', originPort, reportsPort: originPort === '8788' ? '8789' : '18789', signing });
      const exposed = JSON.stringify([plan.origin, plan.reports]);
      for (const secret of secrets) expect(exposed).not.toContain(secret);
      expect(plan.worker).not.toHaveProperty('args');
      // Everything the Worker gets besides its one secret binding is no secret either.
      const { ORIGIN_SIGNING_KEY, ...rest } = plan.worker.bindings;
      expect(ORIGIN_SIGNING_KEY).toEqual({ type: 'secret_text', value: signing.raw });
      const others = JSON.stringify([rest, plan.worker.config, plan.worker.dev]);
      for (const secret of secrets) expect(others).not.toContain(secret);
    }
    // The origin verifies with the public half only.
    const plan = devPlan({ port: '8787', originPort: '8788', signing });
    for (const origin of [plan.origin, plan.reports])
      expect(JSON.parse(origin.env.KEYGATE_PUBLIC_JWK as string)).toEqual({ kty: 'OKP', crv: 'Ed25519', x: signing.publicJwk.x });
    expect(plan.reports.args).toEqual(['examples/reports-origin/server.mjs']);
    // The reports upstream moves with REPORTS_PORT, as ORIGIN_URL with ORIGIN_PORT.
    expect(plan.worker.bindings.UPSTREAMS).toBeUndefined();
    expect(devPlan({ port: '8787', originPort: '8788', reportsPort: '18789', signing }).worker.bindings.UPSTREAMS).toEqual({
      type: 'json',
      value: { reports: { url: 'http://127.0.0.1:18789' } },
    });
  });

  it('creates .dev.vars once (mode 0600) and reads it back on the next start', () => {
    const { path, token, signing } = devVars();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(ensureAdminToken(path)).toBe(false);
    const again = ensureSigningKey(path);
    expect(again).toMatchObject({ created: false, raw: signing.raw });
    expect(readDevVar(readFileSync(path, 'utf8'), 'ADMIN_TOKEN')).toBe(token);
  });

  it('runs the Worker as local development, the one place a loopback ORIGIN_URL is accepted', () => {
    const { signing } = devVars();
    for (const originPort of ['8788', '18788']) {
      expect(devPlan({ port: '8787', originPort, signing }).worker.bindings.LOCAL_DEV).toEqual({ type: 'plain_text', value: 'true' });
    }
  });

  it('fills the empty ADMIN_TOKEN of a .dev.vars copied from .dev.vars.example, and adds the signing key', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'kg-start-')), '.dev.vars');
    copyFileSync('.dev.vars.example', path);
    expect(readDevVar(readFileSync(path, 'utf8'), 'ADMIN_TOKEN')).toBe('');
    expect(ensureAdminToken(path)).toBe(true);
    expect(ensureSigningKey(path).created).toBe(true);
    const text = readFileSync(path, 'utf8');
    expect(text.match(/^ADMIN_TOKEN=/gm)).toHaveLength(1);
    expect(readDevVar(text, 'ADMIN_TOKEN')).toMatch(/^[\w-]{43}$/);
    expect(ensureSigningKey(path)).toMatchObject({ created: false });
    expect(text).toContain('# WEBHOOK_SECRET='); // the rest of the file is kept
  });
});

describe('npm start: the log', () => {
  const tls = (why: string) =>
    `\u001b[31m✘ \u001b[41;31m[\u001b[41;97mERROR\u001b[41;31m]\u001b[0m \u001b[1mHTTP connection failed: TLS handshake failed: ${why}\u001b[0m\n\n`;

  it('says once, in its own words, that TLS handshake failures against the self-signed certificate are expected', () => {
    const shown = startLog('https://localhost:8787');
    const first = shown(tls('received fatal alert: UnknownCA'));
    expect(first).toMatch(
      /^keygate: a TLS handshake failed \(received fatal alert: UnknownCA\)\. That is expected: https:\/\/localhost:8787 has a self-signed certificate/,
    );
    expect(first).toContain('a browser fails its first handshakes until you accept the certificate');
    expect(shown(tls('received corrupt message of type InvalidContentType'))).toBe(
      'keygate: TLS handshake failed again (received corrupt message of type InvalidContentType)',
    );
    expect(shown(tls('received fatal alert: UnknownCA'))).toBe('keygate: TLS handshake failed again (received fatal alert: UnknownCA)');
  });

  it('says once, in one line, that the sample request.cf object could not be fetched; other lines pass unchanged', () => {
    const shown = startLog('https://localhost:8787');
    const warning =
      '\u001b[33m[wrangler:warn]\u001b[39m Unable to fetch the `Request.cf` object! Falling back to a default placeholder...\nError: getaddrinfo ENOTFOUND workers.cloudflare.com\n    at x';
    expect(shown(warning)).toMatch(/^keygate: Cloudflare's sample request\.cf object could not be fetched/);
    expect(shown(warning)).toBeUndefined();
    expect(shown('[wrangler:info] GET /forms 401 Unauthorized (3ms)')).toBe('[wrangler:info] GET /forms 401 Unauthorized (3ms)');
  });

  it('gives the cron trigger URL with the scheme the dev server speaks (https)', () => {
    expect(scheduledHint('https://localhost:8787/', ['*/15 * * * *'])).toBe(
      'keygate: the cron trigger (*/15 * * * *: key.expiring webhooks) does not fire by itself locally; run it with: curl -k "https://localhost:8787/cdn-cgi/local/scheduled"',
    );
    expect(scheduledHint('https://localhost:8787/', [])).toBeUndefined();
  });
});
