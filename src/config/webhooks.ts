// Webhook configuration: WEBHOOK_URL + WEBHOOK_SECRET (both or neither), parsed from the same
// bindings by the Worker (fail closed at the first request) and by the Durable Objects that queue
// and deliver events. Unset ⇒ no webhooks: nothing is written to any outbox.

import { ConfigError } from '../errors/config-error';

export interface WebhookConfig {
  url: string;
  /** The decoded bytes of `whsec_<base64>`. */
  secret: Uint8Array;
  timeoutMs: number;
  /** Delay before each retry; attempts = retryDelaysMs.length + 1, then the delivery is dead. */
  retryDelaysMs: number[];
}

export interface WebhookBindings {
  WEBHOOK_URL?: string;
  WEBHOOK_SECRET?: string;
  WEBHOOK_TIMEOUT_MS?: string;
  WEBHOOK_RETRY_DELAYS_MS?: string;
}

/** 5 s, 30 s, 2 min, 10 min, 1 h, 6 h: seven attempts over about 7 hours. */
export const DEFAULT_RETRY_DELAYS_MS = [5_000, 30_000, 120_000, 600_000, 3_600_000, 21_600_000];
const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

/** True when webhooks are on (WEBHOOK_URL set); the cheap test the queuing code uses. */
export function webhooksEnabled(env: WebhookBindings): boolean {
  return typeof env.WEBHOOK_URL === 'string' && env.WEBHOOK_URL !== '';
}

function webhookUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('WEBHOOK_URL is not a URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.includes(url.hostname))) {
    throw new ConfigError('WEBHOOK_URL must be https (http only for loopback)');
  }
  if (url.username || url.password || url.hash) throw new ConfigError('WEBHOOK_URL must not carry credentials or a fragment');
  return url.href;
}

function webhookSecret(raw: unknown): Uint8Array {
  if (typeof raw !== 'string' || !raw.startsWith('whsec_')) throw new ConfigError('WEBHOOK_SECRET must be "whsec_<base64>"');
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.from(atob(raw.slice('whsec_'.length)), (ch) => ch.charCodeAt(0));
  } catch {
    throw new ConfigError('WEBHOOK_SECRET is not valid base64 after "whsec_"');
  }
  if (bytes.length < 24 || bytes.length > 64) throw new ConfigError('WEBHOOK_SECRET must decode to 24–64 bytes');
  return bytes;
}

function retryDelays(raw: string | undefined): number[] {
  if (raw === undefined || raw === '') return DEFAULT_RETRY_DELAYS_MS;
  const delays = raw.split(',').map((s) => Number(s.trim()));
  if (delays.length > 20 || delays.some((d) => !Number.isInteger(d) || d < 0 || d > 7 * 86_400_000)) {
    throw new ConfigError('WEBHOOK_RETRY_DELAYS_MS must be up to 20 comma-separated delays in ms (0 to 7 days)');
  }
  return delays;
}

/** The webhook settings, or null when webhooks are off; throws ConfigError naming a bad setting. */
export function parseWebhookConfig(env: WebhookBindings): WebhookConfig | null {
  if (!webhooksEnabled(env)) {
    if (env.WEBHOOK_SECRET) throw new ConfigError('WEBHOOK_SECRET is set but WEBHOOK_URL is not');
    return null;
  }
  const timeout = env.WEBHOOK_TIMEOUT_MS === undefined || env.WEBHOOK_TIMEOUT_MS === '' ? 10_000 : Number(env.WEBHOOK_TIMEOUT_MS);
  if (!Number.isInteger(timeout) || timeout < 100 || timeout > 60_000)
    throw new ConfigError('WEBHOOK_TIMEOUT_MS must be between 100 and 60000');
  return {
    url: webhookUrl(env.WEBHOOK_URL as string),
    secret: webhookSecret(env.WEBHOOK_SECRET),
    timeoutMs: timeout,
    retryDelaysMs: retryDelays(env.WEBHOOK_RETRY_DELAYS_MS),
  };
}
