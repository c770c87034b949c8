// Pages of an object's rows in insertion order (seq), the one place that reads a page as limit + 1
// rows, and the opaque cursors the admin API hands out for them.

export interface Page<T> {
  items: T[];
  /** The seq to continue after, or null on the last page. */
  nextAfter: number | null;
}

/**
 * A page of `limit` rows by seq: `read(n)` returns up to n rows after the cursor, in seq order. It is
 * asked for one row more than the page holds: the extra row only says that another page follows.
 */
export function readPage<R extends { seq: number }, T>(limit: number, read: (n: number) => R[], view: (row: R) => T): Page<T> {
  const rows = read(limit + 1);
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return { items: items.map(view), nextAfter: more ? (items[limit - 1] as R).seq : null };
}

/** Opaque, stable pagination cursors over the registry's insertion order. */
export function encodeCursor(after: number | null): string | null {
  return after === null ? null : btoa(`s:${after}`).replace(/=+$/, '');
}

/** The seq a cursor stands for; null when the cursor is not one of ours. */
export function decodeCursor(cursor: string | undefined): number | null {
  if (cursor === undefined || cursor === '') return 0;
  try {
    const text = atob(cursor);
    const match = /^s:(\d{1,15})$/.exec(text);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}
