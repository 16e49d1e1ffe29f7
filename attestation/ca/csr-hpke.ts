// The enclave's HPKE public key travels inside its CSR, as a requested extension (PKCS#9
// extensionRequest) under `<enclave extension OID>.1` whose value is a DER OCTET STRING holding the
// uncompressed P-256 point. Being inside the CSR, it is covered by SHA-256(CSR) in the evidence.
import { fail } from '../errors.js';
import { x509 } from '../../protocol/index.js';
import { csrExtension, placeholderFor } from './big-oid.js';
import { derOctets, readTlv, TAG } from './der.js';
import { ENCLAVE_EXTENSION_OID } from './enclave-extension.js';

export const CSR_HPKE_KEY_OID = `${ENCLAVE_EXTENSION_OID}.1`;

/** Generated under a placeholder OID; the enclave swaps in the real one and re-signs (big-oid.ts). */
export function csrHpkeExtension(hpkePublicKey: Uint8Array): x509.Extension {
  return new x509.Extension(placeholderFor(CSR_HPKE_KEY_OID), false, derOctets(hpkePublicKey));
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
