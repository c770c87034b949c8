// Bench: a Worker that checks each call's key over RPC (C-verify: keygate's KeygateVerifier; B-rpc:
// an entrypoint that returns a constant), then answers itself — no origin, no proxying. What the
// two rows differ by is the verify decision.
export default {
  async fetch(request, env) {
    const authorization = request.headers.get('authorization') ?? '';
    const key = authorization.startsWith('Bearer ') ? authorization.slice(7) : '';
    const clientIp = request.headers.get('cf-connecting-ip');
    const result = await env.VERIFIER.verify({
      key,
      method: request.method,
      path: new URL(request.url).pathname,
      ...(clientIp ? { clientIp } : {}),
    });
    return new Response(result.valid ? 'ok' : result.code, { status: result.valid ? 200 : result.refusal.status });
  },
};
