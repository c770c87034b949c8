// A stand-in for GitHub's secret-scanning signer: an ECDSA P-256 key made with WebCrypto in the
// test, its public key as PEM (the shape GitHub publishes), and reports signed over their exact
// bytes with the DER signature GitHub sends.

import { gateway, type Overrides } from './gateway';

export interface Signer {
  keyId: string;
  pem: string;
  /** Base64 DER signature of `body`, as in Github-Public-Key-Signature. */
  sign(body: string): Promise<string>;
}

let counter = 0;

function base64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

/** DER `SEQUENCE { INTEGER r, INTEGER s }` from WebCrypto's raw r‖s (minimal integers, sign byte when needed). */
export function rawToDer(raw: Uint8Array): Uint8Array {
  const integer = (bytes: Uint8Array): number[] => {
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0) i++;
    const body = [...bytes.subarray(i)];
    if ((body[0] as number) & 0x80) body.unshift(0);
    return [0x02, body.length, ...body];
  };
  const half = raw.length / 2;
  const content = [...integer(raw.subarray(0, half)), ...integer(raw.subarray(half))];
  return new Uint8Array([0x30, ...(content.length < 0x80 ? [] : [0x81]), content.length, ...content]);
}

export async function newSigner(keyId = `ghk${++counter}${Math.random().toString(16).slice(2, 10)}`): Promise<Signer> {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const spki = new Uint8Array((await crypto.subtle.exportKey('spki', pair.publicKey)) as ArrayBuffer);
  const lines = base64(spki).match(/.{1,64}/g) ?? [];
  const pem = ['-----BEGIN PUBLIC KEY-----', ...lines, '-----END PUBLIC KEY-----'].join('\n');
  return {
    keyId,
    pem,
    async sign(body: string) {
      const raw = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, new TextEncoder().encode(body));
      return base64(rawToDer(new Uint8Array(raw)));
    },
  };
}

/** GITHUB_SECRET_SCANNING_KEYS naming these signers. */
export function keysConfig(...signers: Signer[]): string {
  return JSON.stringify(signers.map((s) => ({ key_identifier: s.keyId, key: s.pem })));
}

export interface ReportOptions {
  /** Sign these bytes instead of the body (a tampered body). */
  signedBody?: string;
  /** Header overrides; null leaves the header out. */
  headers?: Record<string, string | null>;
  /** Defaults: the signer's key as the only configured key. */
  env?: Overrides;
}

/** POSTs `body` (an array of reports, or raw text) to the endpoint, signed by `signer`. */
export async function sendReport(signer: Signer, body: unknown, options: ReportOptions = {}): Promise<Response> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const headers = new Headers({
    'content-type': 'application/json',
    'github-public-key-identifier': signer.keyId,
    'github-public-key-signature': await signer.sign(options.signedBody ?? text),
  });
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (value === null) headers.delete(name);
    else headers.set(name, value);
  }
  return gateway(
    '/_keygate/secret-scanning/github',
    { method: 'POST', headers, body: text },
    { GITHUB_SECRET_SCANNING_KEYS: keysConfig(signer), ...options.env },
  );
}
