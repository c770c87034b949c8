// The text a percent-encoded path decodes to, judged for what other readers would make of it:
// bytes that are not UTF-8 (overlong forms such as %c0%ae, which lenient decoders read as "."),
// invisible and control characters, and characters that Unicode compatibility normalization
// (NFKC) or Windows "best fit" code-page conversion turn into ASCII — fullwidth ．／＼, the
// one-dot leader ․, fullwidth letters that spell a route keygate's rules never saw.

/** Strict UTF-8: overlong forms, surrogates and truncated sequences throw (WHATWG Encoding). */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Look-alikes of ".", "/" and "\" that NFKC leaves alone but Windows best-fit conversion
 * (WideCharToMultiByte to ANSI code pages) or other normalizers map onto them: division and
 * fraction slashes, set minus, big solidus and reverse solidus, yen and won signs (the backslash
 * of Japanese and Korean code pages), the ideographic full stop.
 */
const LOOK_ALIKES = new Set([0x2215, 0x2044, 0x29f8, 0x2216, 0x29f5, 0x29f9, 0x00a5, 0x20a9, 0x3002]);

/** Control, format (zero-width, bidi, soft hyphen, BOM) and separator characters. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Z}]/u;

/** Null when the decoded path text reads the same to every reader, else why not. */
export function decodedTextReason(bytes: Uint8Array): string | null {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return 'percent-encoded bytes in path that are not UTF-8 (overlong forms like %c0%ae included)';
  }
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (code < 0x80) continue;
    if (INVISIBLE.test(ch)) return 'invisible, control or space character in path';
    if (LOOK_ALIKES.has(code)) return 'look-alike of ".", "/" or "\\" in path (best-fit code-page conversion maps it to one)';
    const compatible = ch.normalize('NFKC');
    if (compatible !== ch && /[\x00-\x7f]/.test(compatible))
      return 'character that Unicode compatibility normalization (NFKC) turns into ASCII in path (fullwidth forms such as ．／＼, ․ …)';
  }
  return null;
}
