// Types of message.mjs (RFC 9421 / RFC 8941 building blocks shared by the signer and the verifier).

export declare const KEYGATE_LABEL: 'keygate';
export declare const KEYGATE_COMPONENTS: readonly string[];
export declare const CUSTOMER_COMPONENTS: readonly string[];

export type BareItem = string | number | boolean | Uint8Array | { token: string };
export interface Item {
  value: BareItem | Item[];
  params: Map<string, BareItem>;
}
export declare function parseDictionary(text: string): Map<string, Item>;
export declare function serializeString(value: string): string;
export declare function serializeParams(params: Map<string, BareItem>): string;
export declare function serializeSignatureParams(components: readonly string[], params: Map<string, BareItem>): string;
export declare function signatureBase(components: ReadonlyArray<readonly [string, string]>, signatureParams: string): string;
export declare function base64Encode(bytes: Uint8Array): string;
export declare function base64Decode(text: string): Uint8Array;
export declare function base64UrlDecode(text: string): Uint8Array;
export declare function jwkThumbprint(jwk: { crv: string; kty: string; x: string }): Promise<string>;
export declare function isEd25519Jwk(jwk: unknown): jwk is { kty: 'OKP'; crv: 'Ed25519'; x: string; kid?: string };
