// Pages of an object's rows in insertion order (seq), and the opaque cursors the admin API hands out
// for them.

export interface Page<T> {
  items: T[];
  /** The seq to continue after, or null on the last page. */
  nextAfter: number | null;
}

/** A page from `rows` read with LIMIT limit + 1: the extra row only says that there is more. */
export function pageOf<R extends { seq: number }, T>(rows: R[], limit: number, view: (row: R) => T): Page<T> {
  const more = rows.length > limit;
  const items = (more ? rows.slice(0, limit) : rows).map(view);
  return { items, nextAfter: more ? (rows[limit - 1] as R).seq : null };
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
