// keygate's middleware for Hono apps on Workers (`import { keygateAuth } from 'keygate/hono'`), in the
// shape of Hono's own bearerAuth: it reads the call's key, asks keygate's RPC verifier (a service
// binding to the KeygateVerifier entrypoint) for the data plane's decision on this very call, and
// either sets the outcome in the context (`c.get('keygate')`) and goes on, or answers the refusal
// as keygate would have: its status, headers and problem+json body. No dependency but the binding.

/** The key as the data plane reads it: `Authorization: Bearer <key>` first, else `X-API-Key`. */
function credentialOf(headers) {
  const authorization = headers.get('authorization');
  if (authorization !== null) {
    const bearer = /^Bearer[ \t]+(\S*)$/i.exec(authorization.trim());
    // Anything else (another scheme, a space inside) is sent as it is: keygate refuses it as malformed.
    return bearer === null ? authorization : (bearer[1] ?? '');
  }
  return headers.get('x-api-key') ?? '';
}

/** Path and query as sent (never percent-decoded), without the fragment. */
function pathOf(url) {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  const hash = url.indexOf('#');
  return start === -1 ? '/' : url.slice(start, hash === -1 ? undefined : hash);
}

function refusalResponse(refusal) {
  const headers = new Headers(refusal.headers);
  headers.set('content-type', 'application/problem+json');
  headers.set('cache-control', 'no-store');
  return new Response(JSON.stringify(refusal.problem), { status: refusal.status, headers });
}

/**
 * The middleware. `binding`: the name of the service binding in `c.env` (default "KEYGATE"), or
 * `verifier(c)` returning the bound entrypoint. `clientIp(c)`: the caller's address (default
 * CF-Connecting-IP). `contextKey`: where the outcome is set (default "keygate").
 */
export function keygateAuth(options = {}) {
  const bindingName = options.binding ?? 'KEYGATE';
  const contextKey = options.contextKey ?? 'keygate';
  const verifierOf = options.verifier ?? ((c) => c.env?.[bindingName]);
  const clientIpOf = options.clientIp ?? ((c) => c.req.header('cf-connecting-ip'));
  return async function keygateMiddleware(c, next) {
    const verifier = verifierOf(c);
    if (verifier === undefined || typeof verifier.verify !== 'function') {
      throw new Error(`keygateAuth: no keygate verifier bound as "${bindingName}" (a service binding with entrypoint "KeygateVerifier")`);
    }
    const clientIp = clientIpOf(c);
    const result = await verifier.verify({
      key: credentialOf(c.req.raw.headers),
      method: c.req.method,
      path: pathOf(c.req.url),
      ...(clientIp ? { clientIp } : {}),
    });
    if (!result.valid) return refusalResponse(result.refusal);
    c.set(contextKey, result);
    await next();
  };
}
