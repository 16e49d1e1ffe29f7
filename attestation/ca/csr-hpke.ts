// The enclave's HPKE public key travels inside its CSR, as a requested extension (PKCS#9
// extensionRequest) under `<enclave extension OID>.1` whose value is a DER OCTET STRING holding the
// uncompressed P-256 point. Being inside the CSR, it is covered by SHA-256(CSR) in the evidence.
import { KeyObject, type webcrypto } from 'node:crypto';
import { fail } from '../errors.js';
import { csrExtension } from './big-oid.js';
import {
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
import { signDer } from './signed-der.js';

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
