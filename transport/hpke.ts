// HPKE (RFC 9180, base mode) with DHKEM(P-256, HKDF-SHA256), HKDF-SHA256 and AES-256-GCM, through
// @hpke/core on WebCrypto. `info` binds every ciphertext to its computation, enclave session and
// path (canonical encoding in hpkeInfo), so a ciphertext moved to another context does not open.
import { Aes256Gcm, CipherSuite, DhkemP256HkdfSha256, HkdfSha256 } from '@hpke/core';
import { webcrypto } from 'node:crypto';
import { TransportError } from './errors.js';
import { MsgpackWriter } from './msgpack-write.js';

export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;

/** The CryptoKey type as @hpke/core declares it (structurally WebCrypto's). */
type HpkeKey = Parameters<DhkemP256HkdfSha256['serializePublicKey']>[0];
type HpkeRecipientKey = Parameters<CipherSuite['createRecipientContext']>[0]['recipientKey'];

export const hpkeSuite = new CipherSuite({
  kem: new DhkemP256HkdfSha256(),
  kdf: new HkdfSha256(),
  aead: new Aes256Gcm(),
});
/** KEM 0x0010, KDF 0x0001, AEAD 0x0002 (RFC 9180 registry values). */
export const hpkeSuiteIds = { kem: 0x0010, kdf: 0x0001, aead: 0x0002 } as const;
export const hpkeInfoLabel = 'vc-hpke-v1';

/** What a sealed payload is bound to. */
export interface SealContext {
  readonly computation: string;
  /** The enclave session id announced in its Ready message. */
  readonly session: string;
  /** The VFS path the payload is for (`/program/x.wasm`, `/output/result`). */
  readonly path: string;
}

export interface Sealed {
  /** The encapsulated key: an uncompressed P-256 point, 65 bytes. */
  readonly enc: Uint8Array;
  readonly ct: Uint8Array;
}

/** info = msgpack fixarray(4) [ "vc-hpke-v1", computation, session, path ], shortest str encodings. */
export function hpkeInfo(context: SealContext): Uint8Array {
  const w = new MsgpackWriter();
  w.arrayHeader(4);
  for (const part of [hpkeInfoLabel, context.computation, context.session, context.path])
    w.str(part);
  return w.concat();
}

export async function generateHpkeKeyPair(): Promise<CryptoKeyPair> {
  return (await hpkeSuite.kem.generateKeyPair()) as unknown as CryptoKeyPair;
}

/** The public key as RFC 9180 SerializePublicKey: uncompressed SEC1 point, 65 bytes (0x04 || X || Y). */
export async function serializeHpkePublicKey(key: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await hpkeSuite.kem.serializePublicKey(key as unknown as HpkeKey));
}

export async function deserializeHpkePublicKey(bytes: Uint8Array): Promise<CryptoKey> {
  if (bytes.length !== 65 || bytes[0] !== 0x04) {
    throw new TransportError(
      'ERR_KEY_UNSUPPORTED',
      'HPKE public key must be an uncompressed P-256 point',
    );
  }
  try {
    return (await hpkeSuite.kem.deserializePublicKey(bytes)) as unknown as CryptoKey;
  } catch (cause) {
    throw new TransportError('ERR_KEY_UNSUPPORTED', 'not a valid P-256 point', { cause });
  }
}

/** The private key as RFC 9180 SerializePrivateKey: the 32-byte scalar. Keep it secret. */
export async function serializeHpkePrivateKey(key: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await hpkeSuite.kem.serializePrivateKey(key as unknown as HpkeKey));
}

/** Rebuilds the key pair from the 32-byte scalar. */
export async function deserializeHpkePrivateKey(bytes: Uint8Array): Promise<CryptoKeyPair> {
  try {
    const privateKey = await hpkeSuite.kem.deserializePrivateKey(bytes);
    const jwk = await webcrypto.subtle.exportKey('jwk', privateKey as CryptoKey);
    const { d: _d, key_ops: _ops, ...pub } = jwk;
    const publicKey = await webcrypto.subtle.importKey(
      'jwk',
      { ...pub, key_ops: [] },
      { name: 'ECDH', namedCurve: 'P-256' },
      true,
      [],
    );
    return { privateKey: privateKey as unknown as CryptoKey, publicKey };
  } catch (cause) {
    throw new TransportError('ERR_KEY_UNSUPPORTED', 'not a valid P-256 private scalar', { cause });
  }
}

/** Single-shot seal of a payload to `recipient` within `context`. */
export async function hpkeSeal(
  recipient: CryptoKey,
  plaintext: Uint8Array,
  context: SealContext,
  aad?: Uint8Array,
): Promise<Sealed> {
  const sender = await hpkeSuite.createSenderContext({
    recipientPublicKey: recipient as unknown as HpkeKey,
    info: hpkeInfo(context),
  });
  const ct = new Uint8Array(await sender.seal(plaintext, aad));
  return { enc: new Uint8Array(sender.enc), ct };
}

/** Opens a single-shot payload; any mismatch (key, context, aad, bits) is ERR_DECRYPT_FAILED. */
export async function hpkeOpen(
  recipient: CryptoKeyPair | CryptoKey,
  sealed: Sealed,
  context: SealContext,
  aad?: Uint8Array,
): Promise<Uint8Array> {
  try {
    const ctx = await hpkeSuite.createRecipientContext({
      recipientKey: recipient as unknown as HpkeRecipientKey,
      enc: sealed.enc,
      info: hpkeInfo(context),
    });
    return new Uint8Array(await ctx.open(sealed.ct, aad));
  } catch (cause) {
    throw new TransportError('ERR_DECRYPT_FAILED', 'sealed payload does not open in this context', {
      cause,
    });
  }
}
