// CORS_ALLOWED_ORIGINS: the browser origins whose preflights keygate answers (edge/cors.ts).

import { z } from 'zod';

export interface CorsPolicy {
  origins: ReadonlySet<string>;
}

const ORIGIN = /^https?:\/\/[^/\s]+$/;

export const CORS_SETTINGS = {
  /** Comma-separated origins; unset ⇒ none (no preflight is answered). */
  CORS_ALLOWED_ORIGINS: z
    .string({ error: 'CORS_ALLOWED_ORIGINS must be a comma-separated string' })
    .optional()
    .transform((raw, ctx): CorsPolicy => {
      const origins = (raw ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const bad = origins.find((origin) => !ORIGIN.test(origin));
      if (bad !== undefined) ctx.addIssue({ code: 'custom', message: `CORS_ALLOWED_ORIGINS: "${bad}" is not an origin` });
      return { origins: new Set(origins) };
    }),
};
