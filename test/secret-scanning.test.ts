// GitHub secret scanning: POST /_keygate/secret-scanning/github, authenticated only by
// GitHub's ECDSA signature (a key generated here with WebCrypto stands in for GitHub's). Real keys
// are acted on by LEAKED_KEY_POLICY and audited with where they were found; GitHub gets its feedback
// array; nothing changes on a request that fails verification or is malformed.

import { describe, expect, it } from 'vitest';
import { Key } from '../src/admin/responses';
import { storageCounters } from '../src/bench-counters';
import { generateKey } from '../src/core/key-format';
import { hashKey } from '../src/core/key-hash';
import { adminJson, createKey, type CreatedKey } from './helpers/admin';
import { ADMIN_TOKEN, expectNoOriginCall, expectProblem, gateway, newTag, withKey } from './helpers/gateway';
import { keysConfig, newSigner, sendReport } from './helpers/github-signer';

const ENDPOINT = '/_keygate/secret-scanning/github';
const TYPE = 'keygate_api_key';

interface AuditItem {
  actor: string;
  action: string;
  target: string;
  changes: Record<string, unknown>;
}

async function auditOf(target: string): Promise<AuditItem[]> {
  const items: AuditItem[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: AuditItem[]; nextCursor: string | null } = await adminJson(
      'GET',
      `/audit?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
    );
    items.push(...page.items.filter((e) => e.target === target));
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

function leak(token: string, n = 1): Record<string, string> {
  return { token, type: TYPE, url: `https://github.com/octo/app/blob/abc123/.env#L${n}`, source: 'content' };
}

/** The key answers 200 through the data plane (the origin is called). */
async function works(key: CreatedKey): Promise<boolean> {
  return (await gateway('/forms/1', withKey(key.key, newTag()))).status === 200;
}

describe('GitHub secret-scanning endpoint: acting on leaks', () => {
  it('revokes a reported key (default policy), audits where it was found, answers true_positive', async () => {
    const key = await createKey();
    const signer = await newSigner();
    const res = await sendReport(signer, [leak(key.key)]);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual([{ token_hash: await hashKey(key.key), token_type: TYPE, label: 'true_positive' }]);

    const view = await adminJson('GET', `/keys/${key.id}`);
    expect(view).toMatchObject({ status: 'revoked', exposed: true, exposedReason: 'leak' });
    expect(() => Key.parse(view)).not.toThrow(); // the documented schema admits `leak`
    const tag = newTag();
    await expectProblem(await gateway('/forms/1', withKey(key.key, tag)), 'invalid-api-key', 401);
    await expectNoOriginCall(tag);

    const entries = await auditOf(key.id);
    expect(entries.at(-1)).toEqual(
      expect.objectContaining({
        actor: 'keygate',
        action: 'key.leaked',
        changes: { type: TYPE, url: 'https://github.com/octo/app/blob/abc123/.env#L1', source: 'content', policy: 'revoke' },
      }),
    );
    const text = JSON.stringify(entries);
    expect(text).not.toContain(key.key.slice(3));
    expect(text).not.toContain(await hashKey(key.key));
  });

  it('LEAKED_KEY_POLICY=disable disables the key (401) and an admin can enable it again', async () => {
    const key = await createKey();
    const signer = await newSigner();
    const res = await sendReport(signer, [leak(key.key)], { env: { LEAKED_KEY_POLICY: 'disable' } });
    expect(((await res.json()) as { label: string }[])[0]?.label).toBe('true_positive');
    expect(await adminJson('GET', `/keys/${key.id}`)).toMatchObject({ status: 'disabled', exposed: true, exposedReason: 'leak' });
    await expectProblem(await gateway('/forms/1', withKey(key.key, newTag())), 'invalid-api-key', 401);
    expect((await auditOf(key.id)).at(-1)?.changes).toMatchObject({ policy: 'disable' });
    await adminJson('PATCH', `/keys/${key.id}`, { enabled: true });
    expect(await works(key)).toBe(true);
  });

  it('LEAKED_KEY_POLICY=flag only marks the key exposed: it keeps working', async () => {
    const key = await createKey();
    const signer = await newSigner();
    const res = await sendReport(signer, [leak(key.key)], { env: { LEAKED_KEY_POLICY: 'flag' } });
    expect(((await res.json()) as { label: string }[])[0]?.label).toBe('true_positive');
    expect(await adminJson('GET', `/keys/${key.id}`)).toMatchObject({ status: 'active', exposed: true, exposedReason: 'leak' });
    expect(await works(key)).toBe(true);
    expect((await auditOf(key.id)).at(-1)).toMatchObject({ action: 'key.leaked', changes: { policy: 'flag' } });
  });

  it('answers one feedback entry per report, in order: only real keys with a valid checksum are true positives', async () => {
    const active = await createKey();
    const revoked = await createKey();
    await adminJson('POST', `/keys/${revoked.id}/revoke`);
    const last = active.key.at(-1) === 'A' ? 'B' : 'A';
    const badChecksum = active.key.slice(0, -1) + last; // the same key with a wrong checksum
    const tokens = [
      active.key,
      revoked.key, // found again: still a real key
      generateKey('kg', 'live'), // well-formed, never issued
      badChecksum,
      generateKey('xx', 'live'), // another prefix
      'definitely not a key',
      active.key, // reported twice (two places)
    ];
    const signer = await newSigner();
    const body: Record<string, string>[] = tokens.map((t, i) => leak(t, i));
    delete body[5]?.type;
    const res = await sendReport(signer, body, { env: { LEAKED_KEY_POLICY: 'flag' } });
    expect(res.status).toBe(200);
    const expected = await Promise.all(
      tokens.map(async (t, i) => ({
        token_hash: await hashKey(t),
        token_type: i === 5 ? null : TYPE,
        label: [0, 1, 6].includes(i) ? 'true_positive' : 'false_positive',
      })),
    );
    expect(await res.json()).toEqual(expected);
    expect(await adminJson('GET', `/keys/${revoked.id}`)).toMatchObject({ status: 'revoked', exposed: true, exposedReason: 'leak' });
    const leaks = (await auditOf(active.id)).filter((e) => e.action === 'key.leaked');
    expect(leaks.map((e) => e.changes.url)).toEqual([leak('', 0).url, leak('', 6).url]);
  });

  it('takes 1,000 reports in one request and looks them up in one registry call', async () => {
    const keys = [await createKey(), await createKey(), await createKey()];
    const positions = [0, 500, 999];
    const tokens = Array.from({ length: 1_000 }, () => generateKey('kg', 'test'));
    positions.forEach((at, i) => (tokens[at] = (keys[i] as CreatedKey).key));
    const signer = await newSigner();
    const before = storageCounters.registryCalls;
    const res = await sendReport(
      signer,
      tokens.map((t, i) => leak(t, i)),
    );
    expect(res.status).toBe(200);
    expect(storageCounters.registryCalls - before).toBe(1);
    const feedback = (await res.json()) as { token_hash: string; label: string }[];
    expect(feedback).toHaveLength(1_000);
    expect(feedback.flatMap((f, i) => (f.label === 'true_positive' ? [i] : []))).toEqual(positions);
    expect(feedback[999]?.token_hash).toBe(await hashKey(tokens[999] as string));
    for (const key of keys) expect(await adminJson('GET', `/keys/${key.id}`)).toMatchObject({ status: 'revoked', exposedReason: 'leak' });
  });
});

describe('GitHub secret-scanning endpoint: refusals change nothing', () => {
  /** The key is untouched: active, not exposed, no leak in the audit log, still working. */
  async function untouched(key: CreatedKey): Promise<void> {
    expect(await adminJson('GET', `/keys/${key.id}`)).toMatchObject({ status: 'active', exposed: false });
    expect((await auditOf(key.id)).map((e) => e.action)).toEqual(['key.create']);
    expect(await works(key)).toBe(true);
  }

  it('401 invalid-signature for a tampered body, a foreign signer, an unknown key id, missing or garbled headers', async () => {
    const key = await createKey();
    const github = await newSigner();
    const impostor = await newSigner(github.keyId); // same identifier, another private key
    const stranger = await newSigner();
    const body = [leak(key.key)];
    const trusted = { GITHUB_SECRET_SCANNING_KEYS: keysConfig(github) };
    const cases: [string, Response][] = [
      ['tampered body', await sendReport(github, body, { signedBody: JSON.stringify([leak(generateKey('kg', 'live'))]) })],
      ['signed by another key under the same id', await sendReport(impostor, body, { env: trusted })],
      ['unknown key id', await sendReport(stranger, body, { env: trusted })],
      ['no key id', await sendReport(github, body, { headers: { 'github-public-key-identifier': null } })],
      ['no signature', await sendReport(github, body, { headers: { 'github-public-key-signature': null } })],
      ['signature not base64', await sendReport(github, body, { headers: { 'github-public-key-signature': '!!!' } })],
      ['signature not DER', await sendReport(github, body, { headers: { 'github-public-key-signature': btoa('x'.repeat(70)) } })],
      ['no keys configured', await sendReport(github, body, { env: { GITHUB_SECRET_SCANNING_KEYS: '' } })],
      [
        'the admin token instead of a signature',
        await gateway(ENDPOINT, {
          method: 'POST',
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
      ],
    ];
    for (const [name, res] of cases) {
      const problem = await expectProblem(res, 'invalid-signature', 401);
      expect(problem.detail, name).toBeTruthy();
    }
    await untouched(key);
  });

  it('400 validation-failed for a verified body that is not a list of reports (≤ 1,000, each with a token)', async () => {
    const key = await createKey();
    const signer = await newSigner();
    const bodies: [string, string, string][] = [
      ['not JSON', `[${JSON.stringify(leak(key.key))}`, '(body)'],
      ['an object, not an array', JSON.stringify(leak(key.key)), '(body)'],
      ['1,001 entries', JSON.stringify([leak(key.key), ...Array.from({ length: 1_000 }, () => leak(generateKey('kg', 'live')))]), '(body)'],
      ['an entry without a token', JSON.stringify([leak(key.key), { type: TYPE, url: 'https://github.com/x' }]), '1.token'],
      ['a token that is not a string', JSON.stringify([{ token: 42, type: TYPE }]), '0.token'],
      ['an empty token', JSON.stringify([{ token: '', type: TYPE }]), '0.token'],
      ['a url that is not a string', JSON.stringify([{ ...leak(key.key), url: ['x'] }]), '0.url'],
    ];
    for (const [name, text, path] of bodies) {
      const problem = await expectProblem(await sendReport(signer, text), 'validation-failed', 400);
      expect(problem.errors, name).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    }
    await untouched(key);
  });

  it('413 for a body over 2 MiB, before any verification', async () => {
    const signer = await newSigner();
    const text = JSON.stringify([{ token: 'x', type: TYPE, url: 'u'.repeat(2 * 1024 * 1024) }]);
    await expectProblem(await sendReport(signer, text), 'payload-too-large', 413);
  });

  it('is https-only and POST-only like the rest of /_keygate', async () => {
    const key = await createKey();
    const signer = await newSigner();
    const text = JSON.stringify([leak(key.key)]);
    const headers = { 'github-public-key-identifier': signer.keyId, 'github-public-key-signature': await signer.sign(text) };
    const env = { GITHUB_SECRET_SCANNING_KEYS: keysConfig(signer) };
    await expectProblem(
      await gateway(`http://api.example.com${ENDPOINT}`, { method: 'POST', headers, body: text }, env),
      'https-required',
      403,
    );
    await expectProblem(await gateway(ENDPOINT, { headers }, env), 'not-found', 404);
    await untouched(key);
  });
});

describe('GitHub secret-scanning endpoint: configuration', () => {
  it("accepts GitHub's own document shape ({public_keys: [...]}) as GITHUB_SECRET_SCANNING_KEYS", async () => {
    const signer = await newSigner();
    const doc = JSON.stringify({ public_keys: [{ key_identifier: signer.keyId, key: signer.pem, is_current: true }] });
    const res = await sendReport(signer, [leak(generateKey('kg', 'live'))], { env: { GITHUB_SECRET_SCANNING_KEYS: doc } });
    expect(res.status).toBe(200);
  });

  it('invalid settings fail closed with 500 misconfigured naming the setting', async () => {
    const signer = await newSigner();
    const notP256 = `-----BEGIN PUBLIC KEY-----\n${btoa('not a key')}\n-----END PUBLIC KEY-----`;
    const settings: [Record<string, string>, RegExp][] = [
      [{ GITHUB_SECRET_SCANNING_KEYS: '{"nope":1}' }, /GITHUB_SECRET_SCANNING_KEYS/],
      [{ GITHUB_SECRET_SCANNING_KEYS: JSON.stringify([{ key_identifier: 'a', key: 'not pem' }]) }, /GITHUB_SECRET_SCANNING_KEYS/],
      [{ GITHUB_SECRET_SCANNING_KEYS: JSON.stringify([{ key_identifier: signer.keyId, key: notP256 }]) }, /GITHUB_SECRET_SCANNING_KEYS/],
      [{ LEAKED_KEY_POLICY: 'delete' }, /LEAKED_KEY_POLICY/],
      [{ GITHUB_KEYS_URL: 'http://api.github.com/meta/public_keys/secret_scanning' }, /GITHUB_KEYS_URL must be https/],
      // Outside local development (a deployed origin), a loopback URL reaches nothing.
      [
        { GITHUB_KEYS_URL: 'https://localhost:9/keys', LOCAL_DEV: 'false', ORIGIN_URL: 'https://api.example.com' },
        /GITHUB_KEYS_URL is a loopback address/,
      ],
    ];
    for (const [env, detail] of settings) {
      const res = await sendReport(signer, [leak('x')], { env: { GITHUB_SECRET_SCANNING_KEYS: keysConfig(signer), ...env } });
      expect((await expectProblem(res, 'misconfigured', 500)).detail).toMatch(detail);
    }
  });
});
