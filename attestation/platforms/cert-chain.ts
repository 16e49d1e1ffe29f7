// X.509 chains of platform certificates (Nitro's cabundle, Intel's PCK and TCB signing chains):
// root first, each certificate issued and signed by its predecessor, valid at the verification
// time, and every certificate but the leaf a CA. A failure is a refusal of the evidence with its
// own code, never an internal error.
import { isVcError, x509 } from '../../protocol/index.js';
import { fail } from '../errors.js';

export function parseCert(der: Uint8Array): x509.X509Certificate {
  try {
    return new x509.X509Certificate(der);
  } catch (error) {
    return fail('ERR_EVIDENCE_CHAIN', `unparsable certificate: ${(error as Error).message}`);
  }
}

/**
 * The x509 library parses some fields only when asked (signature values, extensions) and throws on
 * malformed ones: in evidence, that is a refusal of the chain, not an internal failure.
 */
export async function chainCheck<T>(what: string, check: () => T | Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (error) {
    if (isVcError(error)) throw error;
    return fail('ERR_EVIDENCE_CHAIN', `${what}: ${(error as Error).message}`);
  }
}

function isCa(cert: x509.X509Certificate): boolean {
  return cert.getExtension(x509.BasicConstraintsExtension)?.ca === true;
}

/** Verifies chain[0] (a trusted root, self-signed) .. chain[n] (the leaf) at `at`; returns the leaf. */
export async function verifyChain(
  chain: readonly x509.X509Certificate[],
  at: Date,
): Promise<x509.X509Certificate> {
  for (let i = 0; i < chain.length; i++) {
    const cert = chain[i] as x509.X509Certificate;
    const issuer = chain[i === 0 ? 0 : i - 1] as x509.X509Certificate;
    if (cert.issuer !== issuer.subject)
      fail('ERR_EVIDENCE_CHAIN', `certificate ${i} is not issued by its predecessor`);
    const verified = await chainCheck(`certificate ${i} signature`, () =>
      cert.verify({ publicKey: issuer.publicKey, signatureOnly: true }),
    );
    if (!verified) {
      fail('ERR_EVIDENCE_CHAIN', `certificate ${i} signature does not verify`);
    }
    if (at < cert.notBefore || at > cert.notAfter) {
      fail(
        'ERR_EVIDENCE_CERT_EXPIRED',
        `certificate ${i} (${cert.subject}) is not valid at ${at.toISOString()}`,
        {
          notBefore: cert.notBefore.toISOString(),
          notAfter: cert.notAfter.toISOString(),
        },
      );
    }
    if (
      i < chain.length - 1 &&
      !(await chainCheck(`certificate ${i} extensions`, () => isCa(cert)))
    )
      fail('ERR_EVIDENCE_CHAIN', `certificate ${i} is not a CA`);
  }
  const leaf = chain[chain.length - 1];
  if (!leaf) fail('ERR_EVIDENCE_CHAIN', 'empty certificate chain');
  return leaf;
}
