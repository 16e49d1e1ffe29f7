// The one content hash of the project: lowercase hex SHA-256. Policies name programs by it
// (vc-pgen's `file_hashes`), the runtime measurement is built from it, caches key on it.
import { createHash } from 'node:crypto';

/** Lowercase hex SHA-256 of bytes (or of a string's UTF-8 encoding). */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}
