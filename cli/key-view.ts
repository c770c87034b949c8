// How a key looks in the terminal: one block for `show`, one row for `list`, and the plaintext
// shown once with its warning.

import type { KeyCreatedView, KeyView } from './api';
import { color, errColor, essential, fields, json, list, out, when } from './output';
import { limitRows } from './holder-view';

export function statusText(k: KeyView): string {
  const paint = { active: color.green, disabled: color.yellow, revoked: color.red, expired: color.dim }[k.status];
  return paint(k.status) + (k.exposed ? color.red(` (exposed${k.exposedReason ? `: ${k.exposedReason}` : ''})`) : '');
}

function limitsText(k: KeyView): string {
  const windows = k.rateLimits.map((r) => `${r.name} ${r.limit}/${r.windowSeconds}s`);
  return list(windows);
}

export function showKey(k: KeyView): void {
  const meta = Object.entries(k.metadata).map(([name, value]) => `${name}=${value}`);
  const pairs: [string, string][] = [
    ['id', color.bold(k.id)],
    ['name', k.name],
    ['project', k.projectId],
    ['start', `${k.start}…`],
    ['environment', k.environment],
    ['status', statusText(k)],
    ['scopes', list(k.scopes)],
    ['rate limits', limitsText(k)],
    ['quota', k.quota ? `${k.quota.remaining} of ${k.quota.limit} left this ${k.quota.period}` : '—'],
    ...(k.customerId ? ([['customer', k.customerId]] as [string, string][]) : []),
    ...(k.planId ? ([['plan', k.planId]] as [string, string][]) : []),
    ...(k.customerId || k.planId || k.credits
      ? limitRows(k.effective).map(([name, value]): [string, string] => [`applies: ${name}`, value])
      : []),
    ['ip allowlist', list(k.ipAllowlist)],
    ['metadata', list(meta)],
    ['created', when(k.createdAt)],
    ['expires', when(k.expiresAt)],
    ['last used', when(k.lastUsedAt)],
  ];
  if (k.revokedAt) pairs.push(['revoked', when(k.revokedAt)]);
  if (k.rotatedFrom) pairs.push(['rotated from', k.rotatedFrom]);
  if (k.rotatedTo) pairs.push(['rotated to', k.rotatedTo]);
  out(fields(pairs));
}

export function keyRow(k: KeyView): string[] {
  return [k.id, k.name, `${k.start}…`, k.environment, statusText(k), list(k.scopes), when(k.expiresAt), when(k.lastUsedAt)];
}

export const KEY_COLUMNS = ['ID', 'NAME', 'START', 'ENV', 'STATUS', 'SCOPES', 'EXPIRES', 'LAST USED'];

export const STORE_WARNING = 'Store this key safely now: it is shown only this once, and keygate keeps only its hash.';

/** A new key's plaintext, printed once; the warning goes to stderr so it shows even when stdout is captured. */
export function showNewKey(created: KeyCreatedView, mode: 'json' | 'quiet' | 'human'): void {
  if (mode === 'json') json(created);
  else if (mode === 'quiet') essential(created.key);
  else {
    const { key, ...view } = created;
    showKey(view);
    out();
    out(`${color.dim('key')}  ${color.bold(key)}`);
    out();
  }
  process.stderr.write(`${errColor.yellow(`! ${STORE_WARNING}`)}\n`);
}
