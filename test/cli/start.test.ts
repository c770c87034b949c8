// npm start (scripts/dev-setup.mjs): no dev secret on any command line (`ps` shows every argv to
// every user) nor in any environment it hands a child; the signing key reaches wrangler's dev server
// only as an in-memory secret binding.

import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { devPlan, ensureAdminToken, ensureSigningKey, readDevVar } from '../../scripts/dev-setup.mjs';

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
      const plan = devPlan({ port: '8787', originPort, signing });
      const exposed = JSON.stringify([plan.origin.command, plan.origin.args, plan.origin.env]);
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
    expect(JSON.parse(plan.origin.env.KEYGATE_PUBLIC_JWK as string)).toEqual({ kty: 'OKP', crv: 'Ed25519', x: signing.publicJwk.x });
  });

  it('creates .dev.vars once (mode 0600) and reads it back on the next start', () => {
    const { path, token, signing } = devVars();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(ensureAdminToken(path)).toBe(false);
    const again = ensureSigningKey(path);
    expect(again).toMatchObject({ created: false, raw: signing.raw });
    expect(readDevVar(readFileSync(path, 'utf8'), 'ADMIN_TOKEN')).toBe(token);
  });
});
