// The admin API's request handling around its routes' zod schemas: JSON bodies (64 KiB at most,
// JSON only, no `__proto__`) and queries are read here, checked by the route's own schema, and a
// failure is a 400 validation-failed with one entry per field; a missing row is a 404.

import type { Hook } from '@hono/zod-openapi';
import { createMiddleware } from 'hono/factory';
import type { z } from 'zod';
import type { AppEnv } from '../app-env';
import { ApiError, type FieldError } from '../errors/problems';
import { decodeCursor } from '../objects/page';
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

/** The routes' validation hook (OpenAPIHono's defaultHook): a zod failure is a 400 naming each field. */
export const validationHook: Hook<unknown, AppEnv, string, undefined> = (result) => {
  if (!result.success) throw new ApiError('validation-failed', { errors: fieldErrors(result.error) });
  return undefined;
};

/** Media types the route validator takes as JSON (@hono/zod-openapi refuses any other, even with no body). */
const JSON_TYPE = /^application\/([a-z-.]+\+)?json(;\s*[a-zA-Z0-9-]+=([^;]+))*$/i;

/**
 * Before a route's body validator: reads the body (413 past 64 KiB), 415 unless it is JSON, 400 when
 * it does not parse or has a `__proto__` key; an empty body counts as `{}`. The validator then checks
 * this value against the route's schema.
 */
export const readJsonBody = createMiddleware<AppEnv>(async (c, next) => {
  const length = Number(c.req.header('content-length') ?? '0');
  if (length > MAX_ADMIN_BODY) throw new ApiError('payload-too-large', { detail: `At most ${MAX_ADMIN_BODY} bytes` });
  const bytes = await readCappedBytes(c.req.raw.body, MAX_ADMIN_BODY);
  const text = new TextDecoder().decode(bytes);
  const type = c.req.header('content-type');
  if (type ? !JSON_TYPE.test(type) : bytes.byteLength > 0) throw new ApiError('unsupported-media-type');
  const empty = text.trim() === '';
  if (!empty) parseClientJson(text);
  // The body is read once, here, under the cap: the validator's c.req.json() parses this text, and
  // the media-type check sees these bytes (Hono caches the promises of what it read).
  Object.assign(c.req.bodyCache, { text: Promise.resolve(empty ? '{}' : text), arrayBuffer: Promise.resolve(bytes.buffer) });
  await next();
});

/** Before a route's query validator: Hono's query object drops a `__proto__` parameter; name it instead, like any unknown one. */
export const refuseProtoQuery = createMiddleware<AppEnv>(async (c, next) => {
  if (new URL(c.req.url).searchParams.has('__proto__')) throw invalid('__proto__', 'not a field of this request');
  await next();
});

/** The registry's seq for a cursor, or 400. */
export function afterCursor(cursor: string | undefined): number {
  const after = decodeCursor(cursor);
  if (after === null) throw invalid('cursor', 'not a cursor this API issued');
  return after;
}

/** `value`, or 404 naming what was not found. */
export function found<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new ApiError('not-found', { detail: `No such ${what}` });
  return value;
}
