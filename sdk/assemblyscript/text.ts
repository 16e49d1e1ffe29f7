// UTF-8 conversions between AssemblyScript strings and byte arrays.

/** The UTF-8 bytes of `text` (no terminator). */
export function utf8(text: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(text));
}

/** Decodes UTF-8 `bytes` into a string. */
export function fromUtf8(bytes: Uint8Array): string {
  return String.UTF8.decodeUnsafe(bytes.dataStart, bytes.length);
}
