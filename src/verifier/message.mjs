// RFC 9421 building blocks shared by keygate's signer (the Worker) and the verifier origins run:
// the RFC 8941 structured-field subset the Signature-Input and Signature fields use, the signature
// base, base64, and the JWK thumbprint (RFC 7638). Plain ESM on WebCrypto only: Node ≥ 20 and Workers.

/** The dictionary label keygate signs under. */
export const KEYGATE_LABEL = 'keygate';

/** What keygate covers, in this order: the request line and every identity header it sets. */
export const KEYGATE_COMPONENTS = Object.freeze([
  '@method',
  '@target-uri',
  'keygate-key-id',
  'keygate-project-id',
  'keygate-scopes',
  'keygate-environment',
  'x-request-id',
]);

/** Covered too whenever the request carries them (a key of a customer): a verifier refuses them unsigned. */
export const CUSTOMER_COMPONENTS = Object.freeze(['keygate-customer-id', 'keygate-customer-external-id']);

const KEY = /^[a-z*][a-z0-9_\-.*]*/;
const TOKEN = /^[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*/;
const INTEGER = /^-?[0-9]{1,15}(?![0-9.])/;
const BYTES = /^:([A-Za-z0-9+/=]*):/;

class Parser {
  /** @param {string} text */
  constructor(text) {
    this.s = text;
    this.i = 0;
  }
  fail() {
    throw new SyntaxError(`malformed structured field at ${this.i}`);
  }
  rest() {
    return this.s.slice(this.i);
  }
  ows() {
    while (this.s[this.i] === ' ' || this.s[this.i] === '\t') this.i++;
  }
  sp() {
    while (this.s[this.i] === ' ') this.i++;
  }
  key() {
    const m = KEY.exec(this.rest());
    if (!m) this.fail();
    this.i += m[0].length;
    return m[0];
  }
  string() {
    let out = '';
    for (this.i++; this.i < this.s.length; this.i++) {
      const ch = this.s[this.i];
      if (ch === '"') return (this.i++, out);
      if (ch === '\\') {
        const next = this.s[++this.i];
        if (next !== '"' && next !== '\\') this.fail();
        out += next;
      } else if (ch < ' ' || ch > '~') this.fail();
      else out += ch;
    }
    return this.fail();
  }
  bareItem() {
    const ch = this.s[this.i];
    if (ch === '"') return this.string();
    if (ch === '?') {
      const v = this.s[this.i + 1];
      if (v !== '0' && v !== '1') this.fail();
      this.i += 2;
      return v === '1';
    }
    for (const [pattern, make] of [
      [BYTES, (m) => base64Decode(m[1])],
      [INTEGER, (m) => Number(m[0])],
      [TOKEN, (m) => ({ token: m[0] })],
    ]) {
      const m = pattern.exec(this.rest());
      if (m) return ((this.i += m[0].length), make(m));
    }
    return this.fail();
  }
  params() {
    const params = new Map();
    while (this.s[this.i] === ';') {
      this.i++;
      this.sp();
      const key = this.key();
      let value = true;
      if (this.s[this.i] === '=') (this.i++, (value = this.bareItem()));
      params.set(key, value);
    }
    return params;
  }
  item() {
    return { value: this.bareItem(), params: this.params() };
  }
  innerList() {
    const items = [];
    for (this.i++; ;) {
      this.sp();
      if (this.s[this.i] === ')') return (this.i++, { value: items, params: this.params() });
      items.push(this.item());
      if (this.s[this.i] !== ' ' && this.s[this.i] !== ')') this.fail();
    }
  }
  dictionary() {
    const members = new Map();
    this.sp();
    while (this.i < this.s.length) {
      const key = this.key();
      if (this.s[this.i] === '=') {
        this.i++;
        members.set(key, this.s[this.i] === '(' ? this.innerList() : this.item());
      } else members.set(key, { value: true, params: this.params() });
      this.ows();
      if (this.i >= this.s.length) return members;
      if (this.s[this.i++] !== ',') this.fail();
      this.ows();
      if (this.i >= this.s.length) this.fail();
    }
    return members;
  }
}

/**
 * Parses an RFC 8941 dictionary (integers, strings, tokens, byte sequences, booleans, inner lists;
 * no decimals). Throws SyntaxError on anything malformed: a field that fails to parse is ignored whole.
 * @param {string} text
 */
export function parseDictionary(text) {
  return new Parser(text).dictionary();
}

/** @param {string} value */
export function serializeString(value) {
  if (!/^[\x20-\x7e]*$/.test(value)) throw new TypeError('an sf-string holds printable ASCII only');
  return `"${value.replace(/[\\"]/g, '\\$&')}"`;
}

function serializeBareItem(value) {
  if (typeof value === 'string') return serializeString(value);
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  if (typeof value === 'boolean') return value ? '?1' : '?0';
  if (value instanceof Uint8Array) return `:${base64Encode(value)}:`;
  if (value && typeof value.token === 'string') return value.token;
  throw new TypeError('unsupported structured-field value');
}

/** `;name=value` for each parameter in order (`;name` for true). @param {Map<string, unknown>} params */
export function serializeParams(params) {
  let out = '';
  for (const [key, value] of params) out += value === true ? `;${key}` : `;${key}=${serializeBareItem(value)}`;
  return out;
}

/**
 * The `@signature-params` value: the covered component identifiers as an inner list of strings,
 * then the parameters in the order given.
 * @param {readonly string[]} components
 * @param {Map<string, unknown>} params
 */
export function serializeSignatureParams(components, params) {
  return `(${components.map(serializeString).join(' ')})${serializeParams(params)}`;
}

/**
 * The signature base (RFC 9421 §2.5): one `"<identifier>": <value>` line per covered component,
 * then the `@signature-params` line, with no trailing newline.
 * @param {ReadonlyArray<readonly [string, string]>} components identifier (lowercase) and value
 * @param {string} signatureParams
 */
export function signatureBase(components, signatureParams) {
  let base = '';
  for (const [id, value] of components) {
    if (/[\r\n]/.test(value)) throw new TypeError(`component ${id} holds a line break`);
    base += `"${id}": ${value}\n`;
  }
  return `${base}"@signature-params": ${signatureParams}`;
}

/** @param {Uint8Array} bytes */
export function base64Encode(bytes) {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** @param {string} text base64, standard alphabet with padding */
export function base64Decode(text) {
  if (text.length % 4 !== 0) throw new SyntaxError('base64 length');
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** @param {string} text base64url without padding */
export function base64UrlDecode(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new SyntaxError('base64url alphabet');
  const std = text.replace(/-/g, '+').replace(/_/g, '/');
  return base64Decode(std + '='.repeat((4 - (std.length % 4)) % 4));
}

/**
 * The JWK thumbprint of an Ed25519 public key (RFC 7638 with RFC 8037's members crv, kty, x), base64url.
 * @param {{ crv: string, kty: string, x: string }} jwk
 */
export async function jwkThumbprint(jwk) {
  const canonical = `{"crv":${JSON.stringify(jwk.crv)},"kty":${JSON.stringify(jwk.kty)},"x":${JSON.stringify(jwk.x)}}`;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical)));
  return base64Encode(digest).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * True when `jwk` is an Ed25519 public key (`d` may be present: it is ignored by callers that verify).
 * @param {unknown} jwk
 */
export function isEd25519Jwk(jwk) {
  if (typeof jwk !== 'object' || jwk === null) return false;
  const { kty, crv, x } = /** @type {Record<string, unknown>} */ (jwk);
  if (kty !== 'OKP' || crv !== 'Ed25519' || typeof x !== 'string') return false;
  try {
    return base64UrlDecode(x).length === 32;
  } catch {
    return false;
  }
}
