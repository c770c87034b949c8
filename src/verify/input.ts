// What a verifier is asked (RPC, HTTP): the key, and the call it is for. Checked before any
// decision: a bad input is a validation-failed refusal naming each field, never a fault.

import { z } from '@hono/zod-openapi';
import { parseIp } from '../core/ip';

export const VerifyInput = z
  .object({
    key: z
      .string()
      .max(4096)
      .regex(/^[\x20-\x7e]*$/, 'printable ASCII only')
      .openapi({
        description: 'The API key the call carried (empty: it carried none)',
        example: 'kg_live_ri2ByxuRXghixiYvqvMfZzAbXdFveeGj3d3jj1',
      }),
    method: z
      .string()
      .regex(/^[A-Za-z]{1,16}$/, 'an HTTP method')
      .default('GET')
      .transform((m) => m.toUpperCase())
      .openapi({ example: 'GET' }),
    path: z
      .string()
      .max(8192)
      .regex(/^\/[\x21\x22\x24-\x7e]*$/, 'a path as sent on the wire: starts with /, printable ASCII, percent-encoded, no fragment')
      .openapi({ description: 'The path (and query) of the call, as sent', example: '/forms/1' }),
    clientIp: z
      .string()
      .max(64)
      .refine((ip) => parseIp(ip) !== null, 'an IPv4 or IPv6 address')
      .optional()
      .openapi({ description: "The caller's address (IP allowlists and failure limits use it)", example: '203.0.113.7' }),
  })
  .strict()
  .openapi('VerifyRequest');

export type VerifyInput = z.input<typeof VerifyInput>;
