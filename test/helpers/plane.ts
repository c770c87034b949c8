// Which plane the Worker's Hono app sends a URL to, asked of its router with the path it routes on.

import { app, gateway } from '../../src/app';
import { routingPath } from '../../src/edge/gateway';

/** True when anything but the data plane's handler answers `url`: the admin plane. */
export function isAdminPath(url: string): boolean {
  const [handlers] = app.router.match('GET', routingPath(new Request(url)));
  return handlers.some(([[handler]]) => handler !== gateway);
}
