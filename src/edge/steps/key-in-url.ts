// Step 5, its URL half, run before step 4: a key anywhere in the URL — plain, percent-encoded,
// double-encoded, in the path, query or fragment — is refused with 400 api-key-in-url and reported
// exposed. It runs before the path check because an escaped key (`/x/kg%5Flive%5F…`) is also a
// non-canonical path: refused as that alone, the leaked key would keep working.

import { refuse, type StepContext } from '../step';
import { findKeyInUrl } from '../../core/credential';
import { reportExposure } from '../exposure';

export function keyInUrl(c: StepContext): Response | undefined | Promise<Response> {
  const inUrl = findKeyInUrl(c.req.url, c.get('config').keyPrefix);
  if (!inUrl.found) return undefined;
  const answer = () =>
    refuse(c, 'api-key-in-url', {
      detail: 'Send the key in the Authorization or X-API-Key header; a key that was in a URL is treated as exposed',
    });
  return inUrl.keys.length > 0 ? reportExposure(c, inUrl.keys, 'url').then(answer) : answer();
}
