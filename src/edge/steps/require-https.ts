// Step 2: HTTPS only. A plain-http request is refused with 403 — never redirected, because a
// redirect teaches clients that http works while their key has already crossed the network in
// clear. Any key it carried (header or URL) is reported exposed before answering.

import { refuse, type StepContext } from '../step';
import { extractCredential, findKeyInUrl } from '../../core/credential';
import { reportExposure } from '../exposure';

export function requireHttps(c: StepContext): Response | undefined | Promise<Response> {
  if (c.req.url.startsWith('https:')) return undefined;
  const candidates = findKeyInUrl(c.req.url, c.get('config').keyPrefix).keys;
  const header = extractCredential(c.req.raw.headers);
  if (header.ok) candidates.push(header.key);
  if (candidates.length === 0) return refuse(c, 'https-required', { detail: 'Send API calls over https://' });
  return reportExposure(c, candidates, 'http').then(() =>
    refuse(c, 'https-required', { detail: 'The API key crossed the network in clear text; it is treated as exposed' }),
  );
}
