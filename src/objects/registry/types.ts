// What the Registry takes and answers over RPC (the admin API, the edge, the usage shards and the
// feed replicas call it), besides the views of views.ts (KeyView, ProjectView) and core's
// FeedSnapshot. Never a plaintext key: keys arrive and leave as hashes.

import type { Credits, KeyRecord, Quota, RateLimit } from '../../core/key-record';
import type { Page } from '../page';
import type { WebhookEventType } from '../outbox/types';
import type { KeyView } from './views';

export interface NewProject {
  name: string;
  description?: string | undefined;
  metadata?: Record<string, string> | undefined;
}

export type ProjectChange = Partial<NewProject>;

export interface NewKey {
  name: string;
  scopes: string[];
  environment: 'live' | 'test';
  expiresAt: number | null;
  ipAllowlist: string[] | null;
  metadata: Record<string, string>;
  rateLimits: RateLimit[];
  quota: Quota | null;
  credits: Credits | null;
  customerId: string | null;
  planId: string | null;
  /** The limiter a rotated key's successor shares with it (its predecessor's meter); null: its own id. */
  meter?: string | null;
}

export interface KeyChange {
  name?: string | undefined;
  scopes?: string[] | undefined;
  expiresAt?: number | null | undefined;
  enabled?: boolean | undefined;
  ipAllowlist?: string[] | null | undefined;
  metadata?: Record<string, string> | undefined;
  rateLimits?: RateLimit[] | undefined;
  quota?: Quota | null | undefined;
  credits?: Credits | null | undefined;
  planId?: string | null | undefined;
}

/** A key after a change, with its hash so the calling isolate can drop its cached copy (never shown). */
export interface KeyChanged {
  view: KeyView;
  hash: string;
  record: KeyRecord;
}

/** What deleting a project changed: its keys, revoked, and the hashes of its verify tokens, revoked. */
export interface ProjectDeleted {
  keys: KeyChanged[];
  verifyTokenHashes: string[];
}

/** Why a key cannot be rotated (each a 409 at the API): only an active key never rotated can be. */
export type RotateRefusal = 'revoked' | 'rotated' | 'disabled' | 'expired';

export type ExposureReason = 'http' | 'url' | 'leak';

/** One sighting of a key in public: over plain http, in a URL, or reported by a secret scanner. */
export interface ExposureReport {
  hash: string;
  reason: ExposureReason;
  /** For `leak`: where the scanner found it (its secret type, the URL, the kind of source). */
  found?: { type: string | null; url: string | null; source: string | null };
}

/** A key found by `expose`; `changed` when its edge record changed (revoked or disabled now). */
export interface Exposed {
  hash: string;
  keyId: string;
  record: KeyRecord;
  at: number;
  changed: boolean;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  /** JSON text of the changed fields (parsed by the admin API). */
  changes: string;
  hash: string;
}

/** A page of the audit log, with the state of the whole hash chain. */
export type AuditPage = Page<AuditEntry> & { chain: { entries: number; brokenAt: number | null } };

/** A webhook event about a key, queued with the change that causes it. */
export type Notice = [type: WebhookEventType, keyId: string, extra: Record<string, unknown>];
