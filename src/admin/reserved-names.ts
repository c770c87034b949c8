// Names a client may not give to a field it names itself (metadata keys), nor use anywhere in a JSON
// body: JavaScript copies of an object drop an own `__proto__` key or turn it into the prototype
// (JSON.parse keeps it, zod records and object spreads lose it), and `constructor` / `prototype`
// are what prototype-pollution gadgets in merging code look for. keygate refuses them with a 400
// naming the field, so what is stored is always exactly what was sent.

export const RESERVED_NAMES: readonly string[] = ['__proto__', 'constructor', 'prototype'];

export const RESERVED_MESSAGE = 'reserved name: __proto__, constructor and prototype are refused';

/** The path (a.b.0.c) of the first own `__proto__` key anywhere in a parsed JSON value, if any. */
export function protoKeyPath(value: unknown): string | undefined {
  // Iterative: a 64 KiB body can nest thousands deep.
  const stack: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: v, path } = stack.pop() as { value: unknown; path: string[] };
    if (v === null || typeof v !== 'object') continue;
    for (const key of Object.keys(v)) {
      if (key === '__proto__') return [...path, key].join('.');
      stack.push({ value: (v as Record<string, unknown>)[key], path: [...path, key] });
    }
  }
  return undefined;
}
