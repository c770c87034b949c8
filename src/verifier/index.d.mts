// Types of keygate's verifier for origins (index.mjs).

export { KEYGATE_COMPONENTS, KEYGATE_LABEL, jwkThumbprint } from './message.mjs';

/** An Ed25519 public key as JWK (RFC 8037). */
export interface Ed25519PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid?: string;
  alg?: string;
  use?: string;
}

export interface JwkSet {
  keys: Ed25519PublicJwk[];
}

export interface VerifyOptions {
  /** keygate's key set (/_keygate/.well-known/jwks.json), or a function returning it (see remoteJwks). */
  jwks?: JwkSet | ((keyId: string) => Promise<JwkSet | undefined>);
  /** One pinned public key: used whatever keyid the signature names. */
  publicKey?: Ed25519PublicJwk;
  /** Oldest accepted signature, by its `created` (default 60). */
  maxAgeSeconds?: number;
  /** Tolerated clock difference between keygate and the origin (default 5). */
  clockSkewSeconds?: number;
  /** The current time (ms since the epoch, or a Date); defaults to Date.now(). */
  now?: number | Date;
}

export type VerifyFailure =
  | 'missing-signature'
  | 'malformed-signature'
  | 'unsupported-component'
  | 'component-not-covered'
  | 'unsupported-algorithm'
  | 'signature-not-yet-valid'
  | 'signature-expired'
  | 'bad-request'
  | 'missing-component'
  | 'unknown-key'
  | 'bad-signature';

export type VerifyResult =
  | {
      ok: true;
      /** The API key's id (Keygate-Key-Id), its project, scopes and environment, as keygate signed them. */
      keyId: string;
      projectId: string;
      scopes: string[];
      environment: string;
      requestId: string;
      /** The key's customer (Keygate-Customer-Id, Keygate-Customer-External-Id), signed; null for a key of no customer. */
      customerId: string | null;
      customerExternalId: string | null;
      /** The keyid of keygate's signing key. */
      signatureKeyId: string;
      created: number;
      expires: number;
    }
  | { ok: false; reason: VerifyFailure; detail?: string };

export interface VerifiableRequest {
  method: string;
  /** The full URL keygate called: its ORIGIN_URL followed by the path and query the origin received. */
  url: string;
  headers: Headers | Record<string, string | string[] | undefined>;
}

export declare function verifyKeygateRequest(request: Request | VerifiableRequest, options: VerifyOptions): Promise<VerifyResult>;

export declare function remoteJwks(
  url: string,
  options?: { cacheSeconds?: number; minRefreshSeconds?: number; fetch?: typeof fetch },
): (keyId: string) => Promise<JwkSet | undefined>;
