// The OpenAPI 3.1 document of the admin API, generated from the admin app itself: each route's
// createRoute config is its validation and its entry here. Served at /_keygate/openapi.json.

import { version } from '../../package.json';
import { admin } from './index';

let cached: unknown;

/** The document (built once per isolate). */
export function openApiDocument(): unknown {
  cached ??= admin.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'keygate admin API',
      // The document describes this release's admin API.
      version,
      description: 'Projects, keys and the audit log of a keygate edge API-key authorizer. Errors are RFC 9457 problem+json.',
    },
    servers: [{ url: '/_keygate/v1', description: 'This keygate' }],
    tags: [
      { name: 'projects', description: 'The applications that call the API' },
      { name: 'keys', description: 'API keys: create, change, revoke, rotate' },
      { name: 'usage', description: 'Counts of every call through the gateway' },
      { name: 'audit', description: 'Every admin change, hash-chained' },
      { name: 'webhooks', description: 'Signed lifecycle webhooks: the delivery outbox' },
      { name: 'version', description: 'Which keygate answers' },
      { name: 'verify-tokens', description: "A project's credentials for the HTTP and Envoy verifiers" },
      { name: 'verify', description: "The proxy's decision for code that is not behind it (a verify token, not the admin token)" },
    ],
  });
  return cached;
}
