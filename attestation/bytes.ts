// Small byte helpers shared by the attestation code (hex, SHA digests, equality, PEM).
import { createHash } from 'node:crypto';
import { UsageError } from '../protocol/index.js';

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function fromHex(hex: string, what = 'hex value'): Uint8Array {
  const clean = hex.trim().toLowerCase();
  if (!/^([0-9a-f]{2})*$/.test(clean)) throw new UsageError(`${what} is not hex`);
  return new Uint8Array(Buffer.from(clean, 'hex'));
}

export function sha256(bytes: Uint8Array | string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}

/** A SHA-2 digest by its Node name ('sha256', 'sha384', 'sha512'). */
export function sha2(name: 'sha256' | 'sha384' | 'sha512', bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash(name).update(bytes).digest());
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

export { concatBytes } from '../protocol/index.js';

/** Every PEM block of one label in a text, as DER. */
export function pemBlocks(text: string, label: string): Uint8Array[] {
  const re = new RegExp(`-----BEGIN ${label}-----([^-]+)-----END ${label}-----`, 'g');
  return [...text.matchAll(re)].map(
    (m) => new Uint8Array(Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64')),
  );
}

export function toPem(der: Uint8Array, label: string): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Hex with or without separators, lowercase; for comparing reference values. */
export function normalizeHex(hex: string): string {
  return hex
    .trim()
    .toLowerCase()
    .replace(/[^0-9a-f]/g, '');
}
