// The enclave's HPKE public key travels inside its CSR, as a requested extension (PKCS#9
// extensionRequest) under `<enclave extension OID>.1` whose value is a DER OCTET STRING holding the
// uncompressed P-256 point. Being inside the CSR, it is covered by SHA-256(CSR) in the evidence.
import { KeyObject, type webcrypto } from 'node:crypto';
import { fail } from '../errors.js';
import { csrExtension } from './big-oid.js';
import {
  DerError,
  derContext,
  derOctets,
  derOid,
  derSequence,
  derSet,
  derSmallInteger,
  derUtf8,
  readTlv,
  TAG,
} from './der.js';
import { ENCLAVE_EXTENSION_OID } from './enclave-extension.js';
import { p256PublicKey, readSignedDer, signDer, verifySignedDer } from './signed-der.js';

const CSR_HPKE_KEY_OID = `${ENCLAVE_EXTENSION_OID}.1`;

/** Name ::= CN=<commonName> (one RDN, UTF8String). */
const derCommonName = (commonName: string): Uint8Array =>
  derSequence(derSet(derSequence(derOid('2.5.4.3'), derUtf8(commonName))));

/**
 * The enclave's DER PKCS#10 request (RFC 2986) for `signing`'s public key, subject
 * CN=Veracruz-TS enclave, requesting the HPKE key extension, self-signed once with ECDSA SHA-256.
 */
export function buildHpkeCsr(
  signing: webcrypto.CryptoKeyPair,
  hpkePublicKey: Uint8Array,
): Uint8Array {
  const spki = KeyObject.from(signing.publicKey).export({ type: 'spki', format: 'der' });
  const extensions = derSequence(
    derSequence(derOid(CSR_HPKE_KEY_OID), derOctets(derOctets(hpkePublicKey))),
  );
  const extensionRequest = derSequence(derOid('1.2.840.113549.1.9.14'), derSet(extensions));
  const info = derSequence(
    derSmallInteger(0),
    derCommonName('Veracruz-TS enclave'),
    new Uint8Array(spki),
    derContext(0, extensionRequest),
  );
  return signDer(info, signing.privateKey);
}

export async function hpkeKeyFromCsr(der: Uint8Array): Promise<Uint8Array> {
  let ext;
  try {
    ext = csrExtension(der, CSR_HPKE_KEY_OID);
  } catch {
    return fail('ERR_ATTESTATION_CSR_INVALID', 'CSR does not parse');
  }
  if (!ext) fail('ERR_ATTESTATION_CSR_INVALID', 'CSR carries no HPKE public key');
  try {
    const value = ext.value;
    const tlv = readTlv(value, 0);
    if (
      tlv.tag !== TAG.OCTET_STRING ||
      tlv.next !== value.length ||
      tlv.value.length !== 65 ||
      tlv.value[0] !== 0x04
    ) {
      throw new Error('bad shape');
    }
    return Uint8Array.from(tlv.value);
  } catch {
    return fail(
      'ERR_ATTESTATION_CSR_INVALID',
      'CSR HPKE public key is not an uncompressed P-256 point',
    );
  }
}

/** The fields of a CSR the certificate needs. */
interface EnclaveCsr {
  /** The DER SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
  /** The public key's bits (the BIT STRING's contents): the point, and what key identifiers hash. */
  readonly publicKeyBits: Uint8Array;
}

/**
 * Reads a DER CSR's key: exactly one signed structure (ECDSA SHA-256), a version 1
 * CertificationRequestInfo { version, subject Name, SPKI, [0] attributes }; `verify` also checks
 * that the key is P-256 and the self-signature verifies. ERR_ATTESTATION_CSR_INVALID otherwise.
 */
function readEnclaveCsr(der: Uint8Array, verify: boolean): EnclaveCsr {
  try {
    const signed = readSignedDer(der);
    const info = readTlv(signed.tbs, 0).value;
    const version = readTlv(info, 0);
    if (version.tag !== TAG.INTEGER || version.value.length !== 1 || version.value[0] !== 0)
      throw new DerError('not a version 1 request');
    const subject = readTlv(info, version.next);
    if (subject.tag !== TAG.SEQUENCE) throw new DerError('subject is not a Name');
    const spki = readTlv(info, subject.next);
    if (spki.tag !== TAG.SEQUENCE) throw new DerError('no SubjectPublicKeyInfo');
    const attributes = readTlv(info, spki.next);
    if (attributes.tag !== 0xa0 || attributes.next !== info.length)
      throw new DerError('bad attributes');
    const bits = readTlv(spki.value, readTlv(spki.value, 0).next);
    if (bits.tag !== TAG.BIT_STRING || bits.value[0] !== 0) throw new DerError('bad public key');
    const spkiDer = info.subarray(subject.next, spki.next);
    if (verify && !verifySignedDer(signed, p256PublicKey(spkiDer)))
      throw new DerError('self-signature does not verify');
    return {
      spki: Uint8Array.from(spkiDer),
      publicKeyBits: Uint8Array.from(bits.value.subarray(1)),
    };
  } catch (error) {
    if (!(error instanceof DerError)) throw error;
    return fail('ERR_ATTESTATION_CSR_INVALID', `CSR invalid: ${error.message}`);
  }
}

/** A CSR whose key is ECDSA P-256 and whose self-signature verifies (what a certificate is for). */
export const verifyEnclaveCsr = (der: Uint8Array): EnclaveCsr => readEnclaveCsr(der, true);

/**
 * The uncompressed P-256 point a CSR requests a certificate for, its signature not checked (the
 * verifier checks it before issuing); ERR_ATTESTATION_CSR_INVALID unless it is one.
 */
export function csrPublicPoint(der: Uint8Array): Uint8Array {
  const { publicKeyBits } = readEnclaveCsr(der, false);
  if (publicKeyBits.length !== 65 || publicKeyBits[0] !== 0x04)
    fail('ERR_ATTESTATION_CSR_INVALID', 'CSR key is not an uncompressed P-256 point');
  return publicKeyBits;
}
