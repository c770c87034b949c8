// key.expiring notices: 7 days and 1 day before a key expires, each sent once per key and expiry
// (a changed expiresAt is a new expiry and is announced again). A key found already inside the
// last day gets the 1-day notice only. Revoked keys and keys retired by rotation get none.

import type { KeyRow } from './views';

const DAY_MS = 86_400_000;
/** Notices per scheduled run; the next run picks up the rest. */
const RUN_LIMIT = 500;

export const EXPIRY_WINDOWS = [
  { window: '1d', ms: DAY_MS, covers: ['1d', '7d'] },
  { window: '7d', ms: 7 * DAY_MS, covers: ['7d'] },
] as const;

export interface ExpiryNotice {
  row: KeyRow;
  window: '1d' | '7d';
}

/** Keys due a notice at `now`, each with the tightest window it is in; marks them noticed. */
export function takeExpiryNotices(sql: SqlStorage, now: number): ExpiryNotice[] {
  const notices: ExpiryNotice[] = [];
  for (const { window, ms, covers } of EXPIRY_WINDOWS) {
    const rows = sql
      .exec<KeyRow>(
        `SELECT * FROM keys k WHERE revoked_at IS NULL AND rotated_to IS NULL AND expires_at > ? AND expires_at <= ?
           AND NOT EXISTS (SELECT 1 FROM expiry_notices n WHERE n.key_id = k.id AND n.window = ? AND n.expires_at = k.expires_at)
         ORDER BY expires_at LIMIT ?`,
        now,
        now + ms,
        window,
        RUN_LIMIT - notices.length,
      )
      .toArray();
    for (const row of rows) {
      for (const w of covers) {
        sql.exec(
          `INSERT OR IGNORE INTO expiry_notices (key_id, window, expires_at, at) VALUES (?, ?, ?, ?)`,
          row.id,
          w,
          row.expires_at,
          now,
        );
      }
      notices.push({ row, window });
    }
  }
  sql.exec(`DELETE FROM expiry_notices WHERE expires_at < ?`, now - 30 * DAY_MS);
  return notices;
}
