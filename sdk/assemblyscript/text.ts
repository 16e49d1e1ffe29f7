// UTF-8 conversions between AssemblyScript strings and byte arrays.

/** The UTF-8 bytes of `text` (no terminator). */
export function utf8(text: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(text));
}

/** Decodes UTF-8 `bytes` into a string. */
export function fromUtf8(bytes: Uint8Array): string {
  return String.UTF8.decodeUnsafe(bytes.dataStart, bytes.length);
}

// The length of the well-formed UTF-8 sequence at bytes[i..], or 0 when it is not one; then
// `lossyAdvance` is how many bytes one U+FFFD stands for (the maximal subpart, at least 1).
let lossyAdvance: i32 = 1;
function utf8Sequence(bytes: Uint8Array, i: i32): i32 {
  const b = <u32>bytes[i];
  if (b < 0x80) return (lossyAdvance = 1);
  let need = 0;
  let lo: u32 = 0x80;
  let hi: u32 = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) need = 1;
  else if (b >= 0xe0 && b <= 0xef) {
    need = 2;
    if (b == 0xe0) lo = 0xa0; // no overlong forms
    else if (b == 0xed) hi = 0x9f; // no surrogates
  } else if (b >= 0xf0 && b <= 0xf4) {
    need = 3;
    if (b == 0xf0) lo = 0x90; // no overlong forms
    else if (b == 0xf4) hi = 0x8f; // nothing above U+10FFFF
  } else {
    lossyAdvance = 1;
    return 0;
  }
  for (let k = 1; k <= need; k++) {
    const j = i + k;
    if (j >= bytes.length || <u32>bytes[j] < lo || <u32>bytes[j] > hi) {
      lossyAdvance = k;
      return 0;
    }
    lo = 0x80;
    hi = 0xbf;
  }
  return (lossyAdvance = need + 1);
}

/**
 * Decodes `bytes` as Rust's `String::from_utf8_lossy` does: each maximal ill-formed subpart
 * becomes U+FFFD (Unicode's "substitution of maximal subparts", as WHATWG's decoder does too).
 */
export function fromUtf8Lossy(bytes: Uint8Array): string {
  let valid = true;
  for (let i = 0; i < bytes.length; i += lossyAdvance) {
    if (utf8Sequence(bytes, i) == 0) {
      valid = false;
      break;
    }
  }
  if (valid) return String.UTF8.decodeUnsafe(bytes.dataStart, bytes.length);
  // Each replacement or sequence gives no more UTF-16 units than it has bytes.
  const units = new Uint16Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i += lossyAdvance) {
    const length = utf8Sequence(bytes, i);
    if (length == 0) {
      units[n++] = 0xfffd;
    } else {
      let c = <u32>bytes[i];
      if (length == 2) c &= 0x1f;
      else if (length == 3) c &= 0x0f;
      else if (length == 4) c &= 0x07;
      for (let k = 1; k < length; k++) c = (c << 6) | (<u32>bytes[i + k] & 0x3f);
      if (c < 0x10000) {
        units[n++] = <u16>c;
      } else {
        c -= 0x10000;
        units[n++] = <u16>(0xd800 | (c >> 10));
        units[n++] = <u16>(0xdc00 | (c & 0x3ff));
      }
    }
  }
  return String.UTF16.decodeUnsafe(units.dataStart, n << 1);
}
