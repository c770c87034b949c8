// Drives one UsageShard with synthetic batches shaped like C-hit's: `/?batches=&calls=&keys=`
// sends `batches` batches of `calls` calls each, keys drawn Zipf-like (s = 1) over `keys`, one
// counter row per minute × key and one log entry per call, awaited one after another.
// `&ingest=0` builds the same batches but sends only an empty call: the cost around ingest.
// bench/ingest.mjs bundles it with the UsageShard under test.

interface Shard {
  ingest(batches: unknown[], now: number): Promise<unknown>;
  schemaVersion(): Promise<number>;
}

let run = '';
let sequence = 0;
let clock = 0;

function zipf(n: number): () => number {
  const cdf: number[] = [];
  let total = 0;
  for (let i = 1; i <= n; i++) total += 1 / i;
  let acc = 0;
  for (let i = 1; i <= n; i++) cdf.push((acc += 1 / i / total));
  return () => {
    const r = Math.random();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cdf[mid] ?? 1) < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

function batch(calls: number, pick: () => number) {
  const counts = new Map<
    string,
    { minute: number; keyId: string; projectId: string; route: string; statusClass: string; outcome: string; count: number }
  >();
  const requests = [];
  for (let i = 0; i < calls; i++) {
    clock += 2;
    const keyId = `key_${String(pick()).padStart(20, '0')}`;
    const minute = clock - (clock % 60_000);
    const counter = counts.get(`${minute}|${keyId}`);
    if (counter) counter.count++;
    else
      counts.set(`${minute}|${keyId}`, {
        minute,
        keyId,
        projectId: 'prj_00000000000000000000',
        route: 'GET /bench',
        statusClass: '2xx',
        outcome: 'allowed',
        count: 1,
      });
    requests.push({
      at: clock,
      requestId: crypto.randomUUID(),
      keyId,
      method: 'GET',
      path: '/bench',
      route: 'GET /bench',
      status: 200,
      latencyMs: 1,
      clientIp: '127.0.0.1',
      country: '',
      userAgent: '',
      outcome: 'allowed',
    });
  }
  return { id: `${run}:${++sequence}`, counts: [...counts.values()], requests };
}

export default {
  async fetch(request: Request, env: { USAGE: DurableObjectNamespace }): Promise<Response> {
    // Random values may only be drawn while handling a request.
    run ||= crypto.randomUUID();
    clock ||= Date.now();
    const url = new URL(request.url);
    const param = (name: string, fallback: number) => Number(url.searchParams.get(name) ?? fallback);
    const pick = zipf(param('keys', 100));
    const shard = env.USAGE.get(env.USAGE.idFromName('bench')) as unknown as Shard;
    for (let i = 0; i < param('batches', 1); i++) {
      const b = batch(param('calls', 500), pick);
      if (param('ingest', 1) === 1) await shard.ingest([b], Date.now());
      else await shard.schemaVersion();
    }
    return new Response('ok');
  },
};
