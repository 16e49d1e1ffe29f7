// Byte arrays joined into a fresh one (never a view of another's memory).

/** Joins a list of any length (no spread of a long list onto the call stack). */
export function joinBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export const concatBytes = (...parts: Uint8Array[]): Uint8Array => joinBytes(parts);
