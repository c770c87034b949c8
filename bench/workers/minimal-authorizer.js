// B2: the minimal authorizer, the floor any authorizer in this runtime pays (issue 15). It does
// exactly these operations for every admitted call, and nothing else, because design.md requires
// each of them of every call keygate admits:
//   1. read the credential header (Authorization: Bearer, or X-API-Key) — a call carries a key;
//   2. SHA-256 of the key + hex — keys are stored only as SHA-256 hashes, so a lookup is by hash;
//   3. a Map hit — the in-isolate cache of key records (step 7); the harness hands B2 the hashes of
//      the keys it seeded into C-hit (B2_KEYS, read once per isolate), so every lookup measured is
//      a hit, as every C-hit lookup is;
//   4. a scope check — the route rule GET /bench needs `bench:read` (step 10);
//   5. a fresh origin request: the client's headers with the credential stripped and the identity
//      headers set (a client-sent Keygate-* of those names is replaced) — the origin never sees a
//      credential, only identity keygate sets;
//   6. redirect: 'manual' — redirects are returned to the client, never followed (step 12);
//   7. an abort timeout, an AbortController and a timer per call — every wait on a remote part has
//      a deadline, and an origin that does not answer in time is aborted (504);
//   8. a rewrapped response — a new Response around the origin's body (streamed, not buffered),
//      which keygate needs to own the headers it relays.
// Denials answer with a bare status: B2 prices admitted calls only. Started with B2_REFUSALS (the
// harness's B2-401 and B2-429 rows), B2 answers a key it does not know with keygate's own refusal
// instead — the same status, headers and problem+json body, captured from keygate by the harness,
// with a fresh request id — so that keygate's refusals can be judged against a floor that sends the
// same bytes: the header, SHA-256, a Map miss, the response, nothing counted or logged.

const REQUIRED_SCOPE = 'bench:read';
const ORIGIN_TIMEOUT_MS = 30_000;
const encoder = new TextEncoder();
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** sha256 hex → { id, projectId, scopes, scopesHeader, environment }, built from B2_KEYS on the isolate's first call. */
let records;
/** From B2_REFUSALS: the refusal for an unknown key, and the refusals of keys known by hash (C-429's). */
let refusals;

/** A captured refusal as a template: the body around its request id, the headers without it. */
function template({ status, headers, body, requestId }) {
  const at = body.indexOf(requestId);
  return { status, headers, before: body.slice(0, at), after: body.slice(at + requestId.length) };
}

function refusalsFrom(text) {
  if (text === undefined) return { unknown: undefined, known: new Map() };
  const { unknown, known } = JSON.parse(text);
  return {
    unknown: unknown === undefined ? undefined : template(unknown),
    known: new Map(Object.entries(known).map(([hash, t]) => [hash, template(t)])),
  };
}

/** The refusal of the key with `hash`: keygate's, as captured, or a bare 401 without B2_REFUSALS. */
function refuse(hash) {
  const t = refusals.known.get(hash) ?? refusals.unknown;
  if (t === undefined) return new Response(null, { status: 401 });
  const id = crypto.randomUUID();
  return new Response(t.before + id + t.after, { status: t.status, headers: { ...t.headers, 'X-Request-Id': id } });
}

function recordsFrom(text) {
  const map = new Map();
  for (const r of JSON.parse(text)) map.set(r.hash, { ...r, scopesHeader: r.scopes.join(' ') });
  return map;
}

function toHex(bytes) {
  const view = new Uint8Array(bytes);
  if (view.toHex !== undefined) return view.toHex();
  let out = '';
  for (const byte of view) out += HEX[byte];
  return out;
}

function credential(headers) {
  const auth = headers.get('authorization');
  if (auth !== null) return auth.startsWith('Bearer ') ? auth.slice(7) : null;
  return headers.get('x-api-key');
}

export default {
  async fetch(request, env) {
    records ??= recordsFrom(env.B2_KEYS);
    refusals ??= refusalsFrom(env.B2_REFUSALS);
    const key = credential(request.headers);
    if (key === null) return new Response(null, { status: 401 });
    const hash = toHex(await crypto.subtle.digest('SHA-256', encoder.encode(key)));
    const record = records.get(hash);
    if (record === undefined) return refuse(hash);
    if (!record.scopes.includes(REQUIRED_SCOPE)) return new Response(null, { status: 403 });

    const headers = new Headers(request.headers);
    headers.delete('authorization');
    headers.delete('x-api-key');
    headers.set('keygate-key-id', record.id);
    headers.set('keygate-project-id', record.projectId);
    headers.set('keygate-scopes', record.scopesHeader);
    headers.set('keygate-environment', record.environment);
    const url = new URL(request.url);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), ORIGIN_TIMEOUT_MS);
    let response;
    try {
      response = await fetch(env.ORIGIN_URL + url.pathname + url.search, {
        method: request.method,
        headers,
        body: request.method === 'GET' || request.method === 'HEAD' ? null : request.body,
        redirect: 'manual',
        signal: controller.signal,
      });
    } catch {
      return new Response(null, { status: controller.signal.aborted ? 504 : 502 });
    } finally {
      clearTimeout(timer);
    }
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers: response.headers });
  },
};
