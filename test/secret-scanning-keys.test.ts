// GitHub's published signing keys (GITHUB_KEYS_URL), served here by the fake origin in GitHub's
// shape: fetched when the configured keys do not name the signer, kept in the isolate and in KV for
// an hour, fetched again at most once a minute for an unknown identifier, and a fetch failure is a
// 503 GitHub retries — never an unverified report.

import { env } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { generateKey } from '../src/core/key-format';
import { readPublishedKeys, writePublishedKeys } from '../src/kv/keys';
import { PUBLISHED_TTL_MS } from '../src/leaks/github-keys';
import { memory } from '../src/edge/memory';
import { adminJson, createKey } from './helpers/admin';
import { expectProblem, newTag } from './helpers/gateway';
import { keysConfig, newSigner, sendReport, type Signer } from './helpers/github-signer';

const origin = (): string => env.ORIGIN_URL;

async function publish(tag: string, ...signers: Signer[]): Promise<string> {
  const doc = { public_keys: signers.map((s) => ({ key_identifier: s.keyId, key: s.pem, is_current: true })) };
  await fetch(`${origin()}/__published/${tag}`, { method: 'PUT', body: JSON.stringify(doc) });
  return `${origin()}/__published/${tag}`;
}

async function fetches(tag: string): Promise<number> {
  return ((await (await fetch(`${origin()}/__fetches/${tag}`)).json()) as { count: number }).count;
}

/** A report signed by `signer`, with no configured keys: only the published document can verify it. */
function report(signer: Signer, url: string, tokens = [generateKey('kg', 'live')]): Promise<Response> {
  const body = tokens.map((token) => ({ token, type: 'keygate_api_key', url: 'https://github.com/o/r/blob/1/a' }));
  return sendReport(signer, body, { env: { GITHUB_SECRET_SCANNING_KEYS: '', GITHUB_KEYS_URL: url } });
}

beforeEach(() => memory.reset());

describe('published signing keys (GITHUB_KEYS_URL)', () => {
  it('are fetched once, then served from the isolate and from KV; an unknown id refetches at most once a minute', async () => {
    const tag = newTag();
    const github = await newSigner();
    const url = await publish(tag, github);
    const key = await createKey();
    const first = await report(github, url, [key.key]);
    expect(await first.json()).toEqual([expect.objectContaining({ label: 'true_positive' })]);
    expect(await adminJson('GET', `/keys/${key.id}`)).toMatchObject({ status: 'revoked', exposedReason: 'leak' });
    expect(await fetches(tag)).toBe(1);
    expect(await readPublishedKeys(env.KEYS)).toMatchObject({ url, keys: [expect.objectContaining({ key_identifier: github.keyId })] });

    expect((await report(github, url)).status).toBe(200); // the isolate's copy
    memory.githubKeys.reset();
    expect((await report(github, url)).status).toBe(200); // KV's copy
    expect(await fetches(tag)).toBe(1);

    await expectProblem(await report(await newSigner(), url), 'invalid-signature', 401);
    expect(await fetches(tag)).toBe(1); // fetched under a minute ago: a forged id costs no fetch
  });

  it('fetches again when the identifier is unknown and the copy is over a minute old (GitHub rotated its key)', async () => {
    const tag = newTag();
    const old = await newSigner();
    const rotated = await newSigner();
    const url = await publish(tag, old, rotated);
    const keys = [{ key_identifier: old.keyId, key: old.pem }];
    await writePublishedKeys(env.KEYS, { url, fetchedAt: Date.now() - 2 * 60_000, keys });
    expect((await report(old, url)).status).toBe(200);
    expect(await fetches(tag)).toBe(0); // the KV copy knew this one
    expect((await report(rotated, url)).status).toBe(200);
    expect(await fetches(tag)).toBe(1);
  });

  it('refetches a copy older than an hour even for a known identifier', async () => {
    const tag = newTag();
    const github = await newSigner();
    const url = await publish(tag, github);
    const keys = [{ key_identifier: github.keyId, key: github.pem }];
    await writePublishedKeys(env.KEYS, { url, fetchedAt: Date.now() - PUBLISHED_TTL_MS - 1_000, keys });
    expect((await report(github, url)).status).toBe(200);
    expect(await fetches(tag)).toBe(1);
  });

  it('GitHub unreachable: a key it published before (an old copy) still verifies its reports', async () => {
    const tag = newTag(); // nothing published: the fake answers 503
    const github = await newSigner();
    const url = `${origin()}/__published/${tag}`;
    const keys = [{ key_identifier: github.keyId, key: github.pem }];
    await writePublishedKeys(env.KEYS, { url, fetchedAt: Date.now() - PUBLISHED_TTL_MS - 1_000, keys });
    expect((await report(github, url)).status).toBe(200);
    expect(await fetches(tag)).toBe(1); // it tried for a fresh copy first
    await expectProblem(await report(await newSigner(), url), 'auth-unavailable', 503); // an unknown id cannot be decided
  });

  it('GitHub unreachable or answering junk: 503 with Retry-After, nothing acted on, no fetch storm', async () => {
    const tag = newTag(); // nothing published: the fake answers 503
    const github = await newSigner();
    const key = await createKey();
    const url = `${origin()}/__published/${tag}`;
    const res = await report(github, url, [key.key]);
    await expectProblem(res, 'auth-unavailable', 503);
    expect(res.headers.get('retry-after')).toBe('60');
    await expectProblem(await report(github, url, [key.key]), 'auth-unavailable', 503);
    expect(await fetches(tag)).toBe(1); // the failure is remembered for a minute
    expect(await adminJson('GET', `/keys/${key.id}`)).toMatchObject({ status: 'active', exposed: false });

    memory.githubKeys.reset();
    const junk = newTag();
    await fetch(`${origin()}/__published/${junk}`, { method: 'PUT', body: '{"public_keys":[{"key_identifier":"x","key":"no"}]}' });
    const junkUrl = `${origin()}/__published/${junk}`;
    await expectProblem(await report(github, junkUrl), 'auth-unavailable', 503);
    expect((await readPublishedKeys(env.KEYS))?.url).not.toBe(junkUrl); // nothing invalid is cached
  });

  it('a configured key is used without any fetch', async () => {
    const tag = newTag();
    const github = await newSigner();
    const url = await publish(tag, github);
    const body = [{ token: generateKey('kg', 'live'), type: 'keygate_api_key' }];
    const res = await sendReport(github, body, { env: { GITHUB_SECRET_SCANNING_KEYS: keysConfig(github), GITHUB_KEYS_URL: url } });
    expect(res.status).toBe(200);
    expect(await fetches(tag)).toBe(0);
  });
});
