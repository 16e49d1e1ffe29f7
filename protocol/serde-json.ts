// How Rust's serde_json writes scalars, for outputs that must equal a Veracruz program's bytes:
// f64 through the `ryu` crate's layout of the shortest round-trip digits, strings with serde_json's
// escapes. Used by the Postcard native service (enclave/native/) and the examples' references.

/** serde_json's f64: ryu's shortest digits laid out as ryu does (`1.0`, `0.001`, `1e-7`, `1.5e21`). */
export function ryuF64(value: number): string {
  if (!Number.isFinite(value)) return 'null';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const sign = value < 0 ? '-' : '';
  const [mantissa = '', exp = '0'] = Math.abs(value).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const length = digits.length;
  const kk = Number(exp) + 1; // the decimal point's place, counted from the first digit
  let text: string;
  if (kk >= length && kk <= 16) text = `${digits}${'0'.repeat(kk - length)}.0`;
  else if (kk > 0 && kk <= 16) text = `${digits.slice(0, kk)}.${digits.slice(kk)}`;
  else if (kk > -5 && kk <= 0) text = `0.${'0'.repeat(-kk)}${digits}`;
  else if (length === 1) text = `${digits}e${kk - 1}`;
  else text = `${digits[0]}.${digits.slice(1)}e${kk - 1}`;
  return sign + text;
}

/** serde_json's string escaping: `"`, `\`, and control characters below 0x20. */
export function jsonString(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code === 0x08) out += '\\b';
    else if (code === 0x0c) out += '\\f';
    else if (code < 0x20) out += `\\u00${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}
