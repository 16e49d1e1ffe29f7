// Little-endian binary records (the examples' numeric data format) and text lines.

/** Packed little-endian f64 values. Trailing bytes that do not fill a value are ignored. */
export function toF64s(bytes: Uint8Array): Float64Array {
  const n = bytes.length >>> 3;
  const out = new Float64Array(n);
  memory.copy(out.dataStart, bytes.dataStart, n << 3);
  return out;
}

export function fromF64s(values: Float64Array): Uint8Array {
  const out = new Uint8Array(values.length << 3);
  memory.copy(out.dataStart, values.dataStart, out.length);
  return out;
}

/** Packed little-endian u32 values. */
export function toU32s(bytes: Uint8Array): Uint32Array {
  const n = bytes.length >>> 2;
  const out = new Uint32Array(n);
  memory.copy(out.dataStart, bytes.dataStart, n << 2);
  return out;
}

export function fromU32s(values: Uint32Array): Uint8Array {
  const out = new Uint8Array(values.length << 2);
  memory.copy(out.dataStart, values.dataStart, out.length);
  return out;
}

/** Splits text into lines as Rust 1.66's `str::lines` (Veracruz's toolchain): at `\n`, dropping one
 * trailing empty line, then one `\r` from the end of each line (the last one too). */
export function lines(text: string): string[] {
  const out = text.split('\n');
  if (out.length > 0 && out[out.length - 1].length == 0) out.pop();
  for (let i = 0; i < out.length; i++) {
    const line = out[i];
    if (line.endsWith('\r')) out[i] = line.substring(0, line.length - 1);
  }
  return out;
}
