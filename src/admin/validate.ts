// Request parsing for the admin API: JSON bodies (64 KiB at most) and queries, checked against a
// zod schema; failures are 400 validation-failed with one entry per field.

import type { Context } from 'hono';
import type { z } from 'zod';
import type { AppEnv } from '../app-env';
import { ApiError, type FieldError } from '../errors/problems';
import { RESERVED_MESSAGE, protoKeyPath } from './reserved-names';

export const MAX_ADMIN_BODY = 64 * 1024;

function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue) => {
    const at = issue.path.map(String);
    // An unknown field is named itself, not its parent object.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((k) => ({ path: [...at, k].join('.'), message: 'not a field of this request' }));
    }
    // A bad key of a record (metadata) is named with what is wrong with it.
    if (issue.code === 'invalid_key') return [{ path: at.join('.'), message: issue.issues[0]?.message ?? issue.message }];
    return [{ path: at.join('.') || '(body)', message: issue.message }];
  });
}

/** A 400 validation-failed naming one field. */
export function invalid(path: string, message: string): ApiError {
  return new ApiError('validation-failed', { errors: [{ path, message }] });
}

/** `value` checked against `schema`; 400 validation-failed naming each bad field otherwise. */
export function check<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ApiError('validation-failed', { errors: fieldErrors(result.error) });
  return result.data;
}

/** The body's bytes, reading no further than `cap` bytes (413 past it). */
export async function readCappedBytes(body: ReadableStream<Uint8Array> | null, cap: number): Promise<Uint8Array> {
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > cap) {
      await reader.cancel();
      throw new ApiError('payload-too-large', { detail: `At most ${cap} bytes` });
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return all;
}

/** The JSON body, validated. An empty body counts as `{}`. */
export async function jsonBody<S extends z.ZodType>(c: Context<AppEnv>, schema: S): Promise<z.infer<S>> {
  const length = Number(c.req.header('content-length') ?? '0');
  if (length > MAX_ADMIN_BODY) throw new ApiError('payload-too-large', { detail: `At most ${MAX_ADMIN_BODY} bytes` });
  const text = new TextDecoder().decode(await readCappedBytes(c.req.raw.body, MAX_ADMIN_BODY));
  if (text.trim() === '') return check(schema, {});
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) throw new ApiError('unsupported-media-type');
  return check(schema, parseClientJson(text));
}

/**
 * A client's JSON text as a value; 400 when it is not JSON, or when it has a `__proto__` key at any
 * depth (every later copy of the object would drop it or make it the prototype: refused, never
 * altered).
 */
export function parseClientJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid('(body)', 'not valid JSON');
  }
  const at = protoKeyPath(value);
  if (at !== undefined) throw invalid(at, RESERVED_MESSAGE);
  return value;
}

export function query<S extends z.ZodType>(c: Context<AppEnv>, schema: S): z.infer<S> {
  // Hono's query object drops a `__proto__` parameter; name it instead, like any unknown one.
  if (new URL(c.req.url).searchParams.has('__proto__')) throw invalid('__proto__', 'not a field of this request');
  return check(schema, c.req.query());
}
