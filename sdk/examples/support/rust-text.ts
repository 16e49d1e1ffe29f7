// Rust's text rules, as Veracruz's examples (built with its pinned Rust 1.66.0) apply them to the
// bytes they read; the references of file-seek, string-search and sort-numbers compute with these
// (docs/guest-programs.md, "Rust's text rules"). Independent of the guests' code.

/**
 * `String::from_utf8_lossy`: every maximal ill-formed subpart becomes U+FFFD. WHATWG's UTF-8
 * decoder (TextDecoder without `fatal`) substitutes exactly those subparts too; `ignoreBOM` keeps
 * a leading byte order mark, which Rust keeps and TextDecoder would otherwise drop.
 */
export function fromUtf8Lossy(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
}

/**
 * `str::lines` as of Rust 1.66: split at "\n", no empty last line after a final "\n", then one
 * "\r" stripped from the end of each line, the last one included even without a "\n" after it
 * (later Rust releases keep that last bare "\r").
 */
export function rustLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

// `char::is_whitespace`: Unicode's White_Space property (U+0085 is in it, U+FEFF is not, unlike
// JavaScript's `trim`).
const WHITE_SPACE =
  '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const TRIM = new RegExp(`^[${WHITE_SPACE}]+|[${WHITE_SPACE}]+$`, 'gu');

/** `str::trim`: White_Space characters removed from both ends. */
export function rustTrim(text: string): string {
  return text.replace(TRIM, '');
}

/** The `kind` of Rust's `ParseIntError`, as its Debug form names it. */
type ParseIntErrorKind = 'Empty' | 'InvalidDigit' | 'PosOverflow';

/** Rust's `ParseIntError`: what `parse::<uN>()` returns for text that is not such a number. */
export class ParseIntError extends Error {
  readonly text: string;
  readonly kind: ParseIntErrorKind;
  constructor(text: string, kind: ParseIntErrorKind) {
    super(`${JSON.stringify(text)} is not a number: ParseIntError { kind: ${kind} }`);
    this.text = text;
    this.kind = kind;
  }
}

/**
 * `uN::from_str` (`bits` = 32 or 64): an optional "+", then one or more ASCII digits, below 2^bits;
 * no spaces, no "-". Throws ParseIntError otherwise.
 */
export function parseRustUnsigned(text: string, bits: 32 | 64): bigint {
  if (text === '') throw new ParseIntError(text, 'Empty');
  const digits = text.startsWith('+') ? text.slice(1) : text;
  if (!/^[0-9]+$/.test(digits)) throw new ParseIntError(text, 'InvalidDigit');
  const value = BigInt(digits);
  if (value >= 1n << BigInt(bits)) throw new ParseIntError(text, 'PosOverflow');
  return value;
}
