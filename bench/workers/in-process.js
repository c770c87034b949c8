// `bench/in-process.mjs`'s worker: keygate (and variants of it with one piece taken out), B2 and
// B0, each called `n` times in one request of this Worker with their origin `fetch` answered in
// memory, so the CPU read around the request is the designs' own JavaScript and Workers API calls,
// without the socket to the origin. The fake origin is outside Cloudflare (it stands for the API
// keygate fronts); everything keygate calls on the platform (KV, Durable Objects, the Cache API,
// timers, crypto) is the real workerd. Any other path reaches keygate itself (its admin API seeds
// the keys). `designs.js` is written by bench/in-process.mjs: { name: fetch handler }, keygate first.
import { DESIGNS } from './designs.js';

export * from './designs.js';

const BODY = '{"ok":true}';

/** The origin's answer, made in memory: a small JSON body of known length, as the benchmark origin sends. */
function originFetch() {
  const headers = { 'content-type': 'application/json', 'content-length': String(BODY.length), 'keep-alive': 'timeout=5' };
  return Promise.resolve(new Response(BODY, { headers }));
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    // Presented as https, as the Cloudflare edge does after terminating TLS (bench/lib.mjs's shim).
    if (url.pathname !== '/__loop') return DESIGNS.keygate.fetch(new Request('https' + request.url.slice(4), request), env, ctx);
    const design = DESIGNS[url.searchParams.get('design')];
    const n = Number(url.searchParams.get('n'));
    const expected = Number(url.searchParams.get('status') ?? 200);
    const keys = env.LOOP_KEYS.split('\n');
    const realFetch = globalThis.fetch;
    globalThis.fetch = originFetch;
    let failed = 0;
    try {
      for (let i = 0; i < n; i++) {
        const headers = { authorization: `Bearer ${keys[i % keys.length]}`, 'user-agent': 'wrk' };
        const response = await design.fetch(new Request('https://gateway.example/bench', { headers }), env, ctx);
        await response.arrayBuffer();
        if (response.status !== expected) failed++;
      }
    } finally {
      globalThis.fetch = realFetch;
    }
    return new Response(JSON.stringify({ failed }));
  },
};
