// The RateLimit fields of draft-ietf-httpapi-ratelimit-headers-11 (May 2026; the syntax of -09 and
// -10): `RateLimit-Policy` lists every limit of the key, `RateLimit` what is left of each. For
// clients written against the earlier drafts (-06 and before) the `RateLimit-Limit`,
// `RateLimit-Remaining` and `RateLimit-Reset` triple of the tightest limit is sent too.

import { CREDITS_POLICY, refusingPolicy, tightest, type LimitHeaders, type Verdict } from '../../objects/limiter/types';

/** A Structured Field string (RFC 9651 §3.3.3): policy names are validated, but escape anyway. */
function sfString(text: string): string {
  return `"${text.replace(/[\\"]/g, '\\$&')}"`;
}

/**
 * `RateLimit-Policy: "burst";q=100;w=60, "quota:day";q=1000;w=86400`, `RateLimit: "burst";r=50;t=30, …`
 * for `policies`, and the older triple of `primary` (the tightest limit unless named).
 */
export function rateLimitHeaders(all: readonly LimitHeaders[], named?: LimitHeaders): Record<string, string> {
  // A credit balance is no RateLimit policy (it has no window): its own field says what is left.
  const credits = all.find((p) => p.policy === CREDITS_POLICY);
  const policies = credits === undefined ? all : all.filter((p) => p !== credits);
  const balance: Record<string, string> = credits === undefined ? {} : { 'Keygate-Credits-Remaining': String(credits.remaining) };
  if (policies.length === 0) return balance;
  const primary = named !== undefined && named !== credits ? named : tightest(policies);
  return {
    ...balance,
    'RateLimit-Policy': policies.map((p) => `${sfString(p.policy)};q=${p.limit};w=${p.window}`).join(', '),
    RateLimit: policies.map((p) => `${sfString(p.policy)};r=${p.remaining};t=${p.reset}`).join(', '),
    'RateLimit-Limit': String(primary.limit),
    'RateLimit-Remaining': String(primary.remaining),
    'RateLimit-Reset': String(primary.reset),
  };
}

/**
 * The limits as a 429 for `verdict` reports them, `retryAfter` seconds before the refusing limit
 * frees a call — less than the verdict's own when it is repeated from memory, and every limit's
 * reset has moved on by as much.
 */
export function refusalPolicies(verdict: Extract<Verdict, { allowed: false }>, retryAfter: number): LimitHeaders[] {
  const refusing = refusingPolicy(verdict);
  const elapsed = verdict.retryAfter - retryAfter;
  return verdict.policies.map((p) =>
    p.policy === refusing && p.policy !== CREDITS_POLICY
      ? { ...p, remaining: 0, reset: retryAfter }
      : { ...p, reset: Math.max(0, p.reset - elapsed) },
  );
}

/** The headers of a 429 for `policies` (refusalPolicies of `verdict`); the old triple describes the refusing limit. */
export function refusalHeaders(
  verdict: Extract<Verdict, { allowed: false }>,
  policies: readonly LimitHeaders[],
  retryAfter: number,
): Record<string, string> {
  const refusing = refusingPolicy(verdict);
  const primary = policies.find((p) => p.policy === refusing);
  return { ...rateLimitHeaders(policies, primary), 'Retry-After': String(retryAfter) };
}
