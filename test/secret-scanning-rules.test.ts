// The scanner rules keygate ships (docs/secret-scanning.md, docs/gitleaks.toml), read from the files
// themselves: they match every generated key, wherever it sits in text, and nothing with a wrong
// prefix or length. A wrong checksum still matches — a regex cannot compute a CRC — so the endpoint
// is what tells it apart: it labels such a token false_positive and leaves the real key alone.

import { describe, expect, it } from 'vitest';
import doc from '../docs/secret-scanning.md?raw';
import gitleaks from '../docs/gitleaks.toml?raw';
import { generateKey, parseKey } from '../src/core/key-format';
import { hashKey } from '../src/core/key-hash';
import { adminJson, createKey } from './helpers/admin';
import { newSigner, sendReport } from './helpers/github-signer';

function codeBlocks(lang: string): string[] {
  return [...doc.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => (m[1] as string).trim());
}

const [docRegex, docTemplate] = codeBlocks('regex');
const gitleaksRegex = /^regex = '''(.+)'''$/m.exec(gitleaks)?.[1];
const custom = Object.fromEntries(
  (codeBlocks('text')[0] ?? '').split('\n').map((line) => line.split(/:\s+/, 2).map((s) => s.trim()) as [string, string]),
);

/** GitHub's custom pattern (Hyperscan) as one JavaScript regex: \A and \z are ^ and $ there. */
function customPattern(): RegExp {
  const js = (s: string | undefined): string => (s ?? '').replace('\\A', '^').replace('\\z', '$');
  return new RegExp(`(?:${js(custom['Before secret'])})(${custom['Secret format']})(?=${js(custom['After secret'])})`, 'gm');
}

/** Every key each rule finds in `text` (the custom pattern's secret is its capture group). */
function findAll(text: string): Record<string, string[]> {
  return {
    doc: [...text.matchAll(new RegExp(docRegex as string, 'g'))].map((m) => m[0]),
    gitleaks: [...text.matchAll(new RegExp(gitleaksRegex as string, 'g'))].map((m) => m[0]),
    github: [...text.matchAll(customPattern())].map((m) => m[1] as string),
  };
}

describe('scanner rules shipped in docs/', () => {
  it('the doc and the gitleaks file carry the same rule, and the doc the GitHub custom-pattern fields', () => {
    expect(docRegex).toBe('\\bkg_(?:live|test)_[0-9A-Za-z]{38}\\b');
    expect(gitleaksRegex).toBe(docRegex);
    expect(docTemplate).toBe((docRegex as string).replace('kg', '<prefix>'));
    expect(custom['Secret format']).toBe('kg_(live|test)_[0-9A-Za-z]{38}');
    expect(gitleaks).toMatch(/keywords = \["kg_live_", "kg_test_"\]/);
  });

  it('find every generated key, alone or inside text, exactly', () => {
    for (let i = 0; i < 500; i++) {
      const key = generateKey('kg', i % 2 ? 'live' : 'test');
      const contexts = [
        key,
        `KEYGATE_KEY=${key}\n`,
        `{"key":"${key}"}`,
        `Authorization: Bearer ${key}`,
        `https://x.test/?api_key=${key}&a=1`,
      ];
      for (const text of contexts) expect(findAll(text), text).toEqual({ doc: [key], gitleaks: [key], github: [key] });
    }
  });

  it('miss a wrong prefix, a wrong environment and a wrong length', () => {
    const key = generateKey('kg', 'live');
    const body = key.slice('kg_live_'.length);
    const nearMisses = [
      `xkg_live_${body}`, // a longer prefix that ends in kg
      `kgx_live_${body}`,
      `ak_live_${body}`,
      generateKey('acme', 'live'),
      `kg_prod_${body}`,
      `kg_live_${body.slice(1)}`, // 37 characters
      `${key}a`, // 39 characters
      `kg_live_${body.slice(0, 20)}-${body.slice(21)}`, // a non-base62 character
    ];
    for (const text of nearMisses) expect(findAll(text), text).toEqual({ doc: [], gitleaks: [], github: [] });
  });

  it('the template builds the rule for another prefix', () => {
    const acme = new RegExp((docTemplate as string).replace('<prefix>', 'acme'));
    expect(acme.test(generateKey('acme', 'test'))).toBe(true);
    expect(acme.test(generateKey('kg', 'test'))).toBe(false);
  });

  it('match a wrong checksum (a regex cannot check it): the endpoint answers false_positive and the key is untouched', async () => {
    const key = await createKey();
    const wrong = key.key.slice(0, -1) + (key.key.endsWith('0') ? '1' : '0');
    expect(findAll(wrong)).toEqual({ doc: [wrong], gitleaks: [wrong], github: [wrong] });
    expect(parseKey(wrong, 'kg')).toEqual({ ok: false, reason: 'bad-checksum' });
    const res = await sendReport(await newSigner(), [{ token: wrong, type: 'keygate_api_key', url: 'https://github.com/o/r' }]);
    expect(await res.json()).toEqual([{ token_hash: await hashKey(wrong), token_type: 'keygate_api_key', label: 'false_positive' }]);
    expect(await adminJson('GET', `/keys/${key.id}`)).toMatchObject({ status: 'active', exposed: false });
  });
});
