// Webhook configuration: WEBHOOK_URL + WEBHOOK_SECRET (both or neither), parsed from the same
// bindings by the Worker (fail closed at the first request) and by the Durable Objects that queue
// and deliver events. Unset ⇒ no webhooks: nothing is written to any outbox, and the other
// WEBHOOK_* settings are not read.

import { z } from 'zod';
import { flag, integer, parseSettings, requiredUrl, serviceUrlProblem } from './setting';

export interface WebhookConfig {
  url: string;
  /** The decoded bytes of `whsec_<base64>`. */
  secret: Uint8Array;
  timeoutMs: number;
  /** Delay before each retry; attempts = retryDelaysMs.length + 1, then the delivery is dead. */
  retryDelaysMs: number[];
}

/** 5 s, 30 s, 2 min, 10 min, 1 h, 6 h: seven attempts over about 7 hours. */
export const DEFAULT_RETRY_DELAYS_MS = [5_000, 30_000, 120_000, 600_000, 3_600_000, 21_600_000];

const SECRET_FORMAT = 'WEBHOOK_SECRET must be "whsec_<base64>"';
const RETRY_DELAYS = 'WEBHOOK_RETRY_DELAYS_MS must be up to 20 comma-separated delays in ms (0 to 7 days)';

/**
 * The raw settings, as bound: `webhookConfig` checks them only when WEBHOOK_URL is set (a string),
 * so that with webhooks off nothing else about them can fail.
 */
export const WEBHOOK_SETTINGS = {
  WEBHOOK_URL: z.custom<string>().optional(),
  WEBHOOK_SECRET: z.custom<string>().optional(),
  WEBHOOK_TIMEOUT_MS: z.custom<string | number>().optional(),
  WEBHOOK_RETRY_DELAYS_MS: z.custom<string>().optional(),
};

const webhookUrl = requiredUrl('WEBHOOK_URL', 'WEBHOOK_URL is not a URL').transform((url, ctx) => {
  if (url.username || url.password || url.hash)
    ctx.addIssue({ code: 'custom', message: 'WEBHOOK_URL must not carry credentials or a fragment' });
  return url;
});

const webhookSecret = z
  .string({ error: SECRET_FORMAT })
  .startsWith('whsec_', SECRET_FORMAT)
  .transform((raw, ctx) => {
    let bytes: Uint8Array;
    try {
      bytes = Uint8Array.from(atob(raw.slice('whsec_'.length)), (ch) => ch.charCodeAt(0));
    } catch {
      ctx.addIssue({ code: 'custom', message: 'WEBHOOK_SECRET is not valid base64 after "whsec_"' });
      return z.NEVER;
    }
    if (bytes.length < 24 || bytes.length > 64) ctx.addIssue({ code: 'custom', message: 'WEBHOOK_SECRET must decode to 24–64 bytes' });
    return bytes;
  });

const retryDelays = z
  .string({ error: RETRY_DELAYS })
  .optional()
  .transform((raw) => (raw === undefined || raw === '' ? DEFAULT_RETRY_DELAYS_MS : raw.split(',').map((s) => Number(s.trim()))))
  .pipe(
    z
      .array(z.number({ error: RETRY_DELAYS }).refine((d) => Number.isInteger(d) && d >= 0 && d <= 7 * 86_400_000, RETRY_DELAYS))
      .max(20, RETRY_DELAYS),
  );

/** What a delivery needs, once webhooks are on (checked in this order). */
const delivery = z
  .object({
    WEBHOOK_TIMEOUT_MS: integer(
      'WEBHOOK_TIMEOUT_MS',
      10_000,
      { min: 100, max: 60_000 },
      'WEBHOOK_TIMEOUT_MS must be between 100 and 60000',
    ),
    WEBHOOK_URL: webhookUrl,
    WEBHOOK_SECRET: webhookSecret,
    WEBHOOK_RETRY_DELAYS_MS: retryDelays,
  })
  .transform((s) => ({
    url: s.WEBHOOK_URL,
    secret: s.WEBHOOK_SECRET,
    timeoutMs: s.WEBHOOK_TIMEOUT_MS,
    retryDelaysMs: s.WEBHOOK_RETRY_DELAYS_MS,
  }));

/** The raw webhook settings, and LOCAL_DEV as parsed (origin.ts): a loopback WEBHOOK_URL only in local development. */
type WebhookSettings = z.output<z.ZodObject<typeof WEBHOOK_SETTINGS>> & { LOCAL_DEV: boolean };

/** The webhook settings, or null when webhooks are off; a bad setting is an issue naming it. */
export function webhookConfig(s: WebhookSettings, ctx: z.RefinementCtx): WebhookConfig | null {
  if (!webhooksEnabled(s)) {
    if (s.WEBHOOK_SECRET)
      ctx.addIssue({ code: 'custom', path: ['WEBHOOK_SECRET'], message: 'WEBHOOK_SECRET is set but WEBHOOK_URL is not' });
    return null;
  }
  const result = delivery.safeParse(s);
  if (!result.success) {
    for (const issue of result.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    return z.NEVER;
  }
  const problem = serviceUrlProblem('WEBHOOK_URL', result.data.url, s.LOCAL_DEV);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['WEBHOOK_URL'], message: problem });
  return { ...result.data, url: result.data.url.href };
}

const webhookSchema = z.object({ ...WEBHOOK_SETTINGS, LOCAL_DEV: flag() }).transform(webhookConfig);

/** The raw webhook bindings, as the Durable Objects that deliver events receive them. */
export type WebhookBindings = z.input<typeof webhookSchema>;

/** True when webhooks are on (WEBHOOK_URL set); the cheap test the queuing code uses. */
export function webhooksEnabled(env: { WEBHOOK_URL?: string | undefined }): boolean {
  return typeof env.WEBHOOK_URL === 'string' && env.WEBHOOK_URL !== '';
}

/** The webhook settings, or null when webhooks are off; throws ConfigError naming a bad setting. */
export function parseWebhookConfig(env: WebhookBindings): WebhookConfig | null {
  return parseSettings(webhookSchema, env);
}
