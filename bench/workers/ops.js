// Prices single Workers API operations the hot path uses: `/?op=<name>&n=<count>` runs the
// operation n times (awaited one after another) in one request; bench/ops.mjs reads the process
// CPU around the call and subtracts the empty loop. For choosing between equivalent spellings.
import { HOP_BY_HOP } from '../../src/edge/proxy/headers';

const encoder = new TextEncoder();
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const KEY = 'kg_live_0123456789abcdefghijklmnopqrstuvwxyzABCD';
const NAMES = [
  'keygate-key-id',
  'keygate-project-id',
  'keygate-scopes',
  'keygate-environment',
  'x-request-id',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'via',
  'accept',
  'user-agent',
];

const HOP_SET = new Set(HOP_BY_HOP);

function hex(buffer) {
  let out = '';
  for (const byte of new Uint8Array(buffer)) out += HEX[byte];
  return out;
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const op = url.searchParams.get('op');
    const n = Number(url.searchParams.get('n'));
    const origin = env.ORIGIN_URL + '/bench';
    let sink = 0;
    for (let i = 0; i < n; i++) {
      switch (op) {
        case 'none':
          break;
        case 'timer': {
          const t = setTimeout(() => {}, 30_000);
          clearTimeout(t);
          break;
        }
        case 'abort-timer': {
          const controller = new AbortController();
          const t = setTimeout(() => controller.abort(), 30_000);
          clearTimeout(t);
          sink += controller.signal.aborted ? 1 : 0;
          break;
        }
        case 'signal-timeout':
          sink += AbortSignal.timeout(30_000).aborted ? 1 : 0;
          break;
        case 'headers-append': {
          const h = new Headers();
          for (const name of NAMES) h.append(name, 'value-' + name);
          sink += 1;
          break;
        }
        case 'headers-pairs': {
          const pairs = [];
          for (const name of NAMES) pairs.push([name, 'value-' + name]);
          sink += new Headers(pairs) ? 1 : 0;
          break;
        }
        case 'headers-object': {
          const o = {};
          for (const name of NAMES) o[name] = 'value-' + name;
          sink += new Headers(o) ? 1 : 0;
          break;
        }
        case 'headers-iterate': {
          for (const [name] of request.headers) sink += name.length;
          break;
        }
        case 'headers-get':
          sink += (request.headers.get('authorization') ?? '').length;
          break;
        case 'digest':
          sink += hex(await crypto.subtle.digest('SHA-256', encoder.encode(KEY))).length;
          break;
        case 'uuid':
          sink += crypto.randomUUID().length;
          break;
        case 'new-url':
          sink += new URL(request.url).pathname.length;
          break;
        case 'new-request':
          sink += new Request('https' + request.url.slice(4), request).url.length;
          break;
        case 'response-new':
          sink += new Response('{"ok":true}', { status: 200, headers: { 'content-type': 'application/json' } }).status;
          break;
        case 'cf-country':
          sink += (request.cf?.country ?? '').length;
          break;
        case 'status-class':
          sink += `${Math.floor((200 + (i & 1)) / 100)}xx|${i}|k|GET /bench|allowed`.length;
          break;
        case 'body-read': {
          // the first chunk of a body read from JavaScript (a native stream)
          const reader = new Response('{"ok":true}').body.getReader();
          sink += (await reader.read()).value.byteLength;
          break;
        }
        case 'body-bytes': {
          sink += (await new Response('{"ok":true}').arrayBuffer()).byteLength;
          break;
        }
        case 'timer-turn':
          // a turn of the event loop through a timer (afterResponse, keepFresh)
          await new Promise((resolve) => setTimeout(resolve, 0));
          break;
        case 'microtask':
          await undefined;
          break;
        case 'fetch-plain': {
          const r = await fetch(origin, { redirect: 'manual' });
          await r.arrayBuffer();
          break;
        }
        case 'fetch-nostore': {
          const r = await fetch(origin, { redirect: 'manual', cache: 'no-store' });
          await r.arrayBuffer();
          break;
        }
        case 'fetch-signal': {
          const controller = new AbortController();
          const t = setTimeout(() => controller.abort(), 30_000);
          const r = await fetch(origin, { redirect: 'manual', signal: controller.signal });
          clearTimeout(t);
          await r.arrayBuffer();
          break;
        }
        case 'fetch-signal-timeout': {
          const r = await fetch(origin, { redirect: 'manual', signal: AbortSignal.timeout(30_000) });
          await r.arrayBuffer();
          break;
        }
        case 'fetch-rewrap-iterate': {
          const r = await fetch(origin, { redirect: 'manual' });
          const h = new Headers();
          for (const [name, value] of r.headers) h.append(name, value);
          await new Response(r.body, { status: r.status, statusText: r.statusText, headers: h }).arrayBuffer();
          break;
        }
        case 'fetch-rewrap-copy': {
          const r = await fetch(origin, { redirect: 'manual' });
          const out = new Response(r.body, r);
          out.headers.set('x-request-id', 'abc');
          await out.arrayBuffer();
          break;
        }
        case 'fetch-relay-strip': {
          // keygate before issue 15: a native copy of the origin's fields, then a delete per hop-by-hop name
          const r = await fetch(origin, { redirect: 'manual' });
          const out = new Response(r.body, r);
          out.headers.get('connection');
          for (const name of HOP_BY_HOP) out.headers.delete(name);
          await out.arrayBuffer();
          break;
        }
        case 'fetch-relay-pairs': {
          // after: one pass over the origin's fields into pairs, one native call to build them
          const r = await fetch(origin, { redirect: 'manual' });
          const kept = [];
          for (const field of r.headers) if (!HOP_SET.has(field[0])) kept.push(field);
          await new Response(r.body, { status: r.status, statusText: r.statusText, headers: kept }).arrayBuffer();
          break;
        }
        case 'fetch-read-first': {
          // the whole-body path: the first chunk read from JavaScript and relayed as bytes
          const r = await fetch(origin, { redirect: 'manual' });
          const reader = r.body.getReader();
          const first = await reader.read();
          await new Response(first.value, r).arrayBuffer();
          break;
        }
        case 'fetch-pipe': {
          // the platform's stream piped natively through an IdentityTransformStream, under an abort signal
          const r = await fetch(origin, { redirect: 'manual' });
          const controller = new AbortController();
          const t = setTimeout(() => controller.abort(), 100_000);
          const { readable, writable } = new IdentityTransformStream();
          const piped = r.body.pipeTo(writable, { signal: controller.signal }).finally(() => clearTimeout(t));
          await new Response(readable, r).arrayBuffer();
          await piped;
          break;
        }
        case 'fetch-stream': {
          // the platform's stream relayed untouched
          const r = await fetch(origin, { redirect: 'manual' });
          await new Response(r.body, r).arrayBuffer();
          break;
        }
        case 'headers-request-before': {
          // keygate's origin request fields before issue 15: append what is kept, then set each identity field
          const h = new Headers();
          for (const [name, value] of request.headers) if (name !== 'authorization') h.append(name, value);
          for (const name of NAMES.slice(0, 9)) h.set(name, 'value-' + name);
          h.get('via');
          h.get('connection');
          sink += 1;
          break;
        }
        case 'headers-request-pairs': {
          // after: the kept fields and the identity fields as pairs, built by one native call
          const kept = [];
          for (const field of request.headers) if (field[0] !== 'authorization') kept.push(field);
          for (const name of NAMES.slice(0, 9)) kept.push([name, 'value-' + name]);
          sink += new Headers(kept) ? 1 : 0;
          break;
        }
        case 'headers-request-copy': {
          // B2's spelling: a native copy of the client's fields, deletes, then the identity fields
          const h = new Headers(request.headers);
          h.delete('authorization');
          h.delete('x-api-key');
          for (const name of NAMES.slice(0, 9)) h.set(name, 'value-' + name);
          sink += 1;
          break;
        }
        case 'headers-set': {
          const h = new Headers();
          h.set('x-request-id', 'value');
          sink += 1;
          break;
        }
        case 'headers-new': {
          sink += new Headers() ? 1 : 0;
          break;
        }
        case 'fetch-headers': {
          const h = new Headers();
          for (const name of NAMES.slice(0, 9)) h.set(name, 'value-' + name);
          const r = await fetch(origin, { redirect: 'manual', headers: h });
          await r.arrayBuffer();
          break;
        }
        case 'fetch-pairs': {
          const pairs = [];
          for (const name of NAMES.slice(0, 9)) pairs.push([name, 'value-' + name]);
          const r = await fetch(origin, { redirect: 'manual', headers: pairs });
          await r.arrayBuffer();
          break;
        }
        default:
          return new Response(`unknown op ${op}`, { status: 400 });
      }
    }
    return new Response(String(sink));
  },
};
