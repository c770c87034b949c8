// The example origin: a small API that stores medical forms, in memory. keygate sits in front of it
// (`npm start`) and it listens on loopback only. Given keygate's public key (KEYGATE_PUBLIC_JWK: a JWK
// or a JWK set; or KEYGATE_JWKS_URL), it verifies keygate's signature on every call with keygate's
// verifier and refuses anything else with 401; without one it trusts the Keygate-* headers as they
// come (../keygate-identity.mjs). Node's standard library and keygate/verifier only: runs on any Node ≥ 20.

import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { keygateIdentity } from '../keygate-identity.mjs';

const PORT = Number(process.env.PORT ?? 8788);
const identity = keygateIdentity();
const MAX_ATTACHMENT = 64 * 1024 * 1024;
const forms = new Map();
const attachments = new Map();

function seed() {
  for (const [patient, type] of [
    ['A. Lovelace', 'intake'],
    ['G. Hopper', 'consent'],
  ]) {
    const id = randomUUID();
    forms.set(id, { id, patient, type, fields: {}, createdAt: new Date().toISOString(), createdBy: 'seed' });
  }
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

async function readJson(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 1024 * 1024) throw Object.assign(new Error('body too large'), { status: 413 });
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    throw Object.assign(new Error('body is not JSON'), { status: 400 });
  }
}

function validForm(body) {
  return typeof body === 'object' && body !== null && typeof body.patient === 'string' && typeof body.type === 'string';
}

async function storeAttachment(req, res, form) {
  const hash = createHash('sha256');
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_ATTACHMENT) return send(res, 413, { error: 'attachment too large' });
    hash.update(chunk);
    chunks.push(chunk);
  }
  const attachment = {
    bytes: Buffer.concat(chunks),
    contentType: req.headers['content-type'] ?? 'application/octet-stream',
    sha256: hash.digest('hex'),
  };
  attachments.set(form.id, attachment);
  send(res, 201, { formId: form.id, size, sha256: attachment.sha256 });
}

async function route(req, res) {
  const who = await identity.identify(req);
  if (who.ok === false) return send(res, 401, { error: 'not a verified call from keygate', reason: who.reason });
  const url = new URL(req.url, 'http://origin.local');
  const parts = url.pathname.split('/').filter(Boolean);
  const method = req.method;
  if (url.pathname === '/health') return send(res, 200, { ok: true, forms: forms.size });
  if (parts[0] !== 'forms') return send(res, 404, { error: 'not found' });
  if (parts.length === 1) {
    if (method === 'GET' || method === 'HEAD') return send(res, 200, { items: [...forms.values()], calledBy: who });
    if (method === 'POST') {
      const body = await readJson(req);
      if (!validForm(body)) return send(res, 400, { error: 'patient and type are required strings' });
      const form = {
        id: randomUUID(),
        patient: body.patient,
        type: body.type,
        fields: body.fields ?? {},
        createdAt: new Date().toISOString(),
        createdBy: who.keyId,
      };
      forms.set(form.id, form);
      return send(res, 201, form, { location: `/forms/${form.id}` });
    }
  }
  const form = forms.get(parts[1]);
  if (!form) return send(res, 404, { error: 'no such form' });
  if (parts.length === 2) {
    if (method === 'GET' || method === 'HEAD') return send(res, 200, { ...form, calledBy: who });
    if (method === 'PUT' || method === 'PATCH') {
      const body = await readJson(req);
      Object.assign(form, method === 'PUT' && !validForm(body) ? {} : body, { id: form.id, updatedAt: new Date().toISOString() });
      return send(res, 200, form);
    }
    if (method === 'DELETE') {
      forms.delete(form.id);
      attachments.delete(form.id);
      res.writeHead(204);
      return res.end();
    }
  }
  if (parts.length === 3 && parts[2] === 'attachment') {
    if (method === 'PUT') return storeAttachment(req, res, form);
    const attachment = attachments.get(form.id);
    if (!attachment) return send(res, 404, { error: 'no attachment' });
    res.writeHead(200, { 'content-type': attachment.contentType, 'content-length': attachment.bytes.length });
    return res.end(attachment.bytes);
  }
  send(res, 405, { error: 'method not allowed' });
}

seed();
const server = createServer((req, res) => {
  route(req, res).catch((error) => send(res, error.status ?? 500, { error: error.message }));
});
server.listen(PORT, '127.0.0.1', () => {
  const { port } = server.address();
  identity.listening(`http://127.0.0.1:${port}`);
  const mode = identity.verifying ? 'verifying keygate signatures' : 'NOT verifying (no KEYGATE_PUBLIC_JWK / KEYGATE_JWKS_URL)';
  console.log(`forms origin listening on http://127.0.0.1:${port}, ${mode}`);
});
