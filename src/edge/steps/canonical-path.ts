// Step 4: a non-canonical path, a method override in the query or an ambiguously framed message is
// refused before any decision is made on it.

import { refuse, type StepContext } from '../step';
import { ambiguousFramingReason, nonCanonicalReason } from '../../core/canonical-path';
import { rawPath } from '../../core/url';
import { methodOverrideReason } from '../../core/method-override';

export function canonicalPath(c: StepContext): Response | undefined {
  const reason = nonCanonicalReason(rawPath(c.req.url));
  if (reason !== null) return refuse(c, 'non-canonical-path', { detail: reason });
  const override = methodOverrideReason(c.req.url);
  if (override !== null) return refuse(c, 'method-override', { detail: override });
  const framing = ambiguousFramingReason(c.req.raw.headers);
  if (framing !== null) return refuse(c, 'ambiguous-request', { detail: framing });
  return undefined;
}
