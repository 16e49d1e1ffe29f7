// COSE_Sign1 (RFC 9052) with ECDSA only: ES256 (PSA, sim) and ES384 (Nitro). Verify-then-use: the
// outer array is checked, the signature is verified over the exact protected and payload bytes, and
// only then is the payload decoded by the caller.
import { KeyObject, verify, webcrypto } from 'node:crypto';
import { asBytes, asMap, decodeCbor, encodeCbor, isTag, Tag } from './cbor.js';
import { fail } from './errors.js';

export type CoseAlg = 'ES256' | 'ES384';

const ALGS: Record<CoseAlg, { id: number; hash: string; curve: string; size: number }> = {
  ES256: { id: -7, hash: 'SHA-256', curve: 'P-256', size: 64 },
  ES384: { id: -35, hash: 'SHA-384', curve: 'P-384', size: 96 },
};

const COSE_SIGN1_TAG = 18;
const HEADER_ALG = 1;

export interface CoseSign1 {
  readonly alg: CoseAlg;
  readonly tagged: boolean;
  readonly protectedBytes: Uint8Array;
  readonly unprotected: Map<unknown, unknown>;
  /** Still encoded: decode only after `verifyCoseSign1`. */
  readonly payload: Uint8Array;
  readonly signature: Uint8Array;
}

/** Parses the COSE_Sign1 structure (tag 18 or untagged) and checks the algorithm is allowed. */
export function parseCoseSign1(bytes: Uint8Array, allowed: readonly CoseAlg[]): CoseSign1 {
  let outer = decodeCbor(bytes);
  let tagged = false;
  if (isTag(outer)) {
    if (outer.tag !== COSE_SIGN1_TAG)
      fail('ERR_EVIDENCE_MALFORMED', `CBOR tag ${outer.tag} is not COSE_Sign1`);
    outer = outer.value;
    tagged = true;
  }
  if (!Array.isArray(outer) || outer.length !== 4)
    fail('ERR_EVIDENCE_MALFORMED', 'not a COSE_Sign1 array');
  const protectedBytes = asBytes(outer[0], 'protected header');
  const header =
    protectedBytes.length === 0 ? new Map() : asMap(decodeCbor(protectedBytes), 'protected header');
  const alg = algFromId(header.get(HEADER_ALG));
  if (!allowed.includes(alg)) fail('ERR_EVIDENCE_ALGORITHM', `algorithm ${alg} not allowed here`);
  const signature = asBytes(outer[3], 'signature');
  if (signature.length !== ALGS[alg].size)
    fail('ERR_EVIDENCE_MALFORMED', 'signature has the wrong length');
  return {
    alg,
    tagged,
    protectedBytes,
    unprotected: asMap(outer[1], 'unprotected header'),
    payload: asBytes(outer[2], 'payload'),
    signature,
  };
}

function algFromId(id: unknown): CoseAlg {
  for (const [name, spec] of Object.entries(ALGS)) if (spec.id === id) return name as CoseAlg;
  return fail('ERR_EVIDENCE_ALGORITHM', `COSE algorithm ${String(id)} is not supported`);
}

function sigStructure(protectedBytes: Uint8Array, payload: Uint8Array): Uint8Array {
  return encodeCbor(['Signature1', protectedBytes, new Uint8Array(0), payload]);
}

/** Throws ERR_EVIDENCE_SIGNATURE unless the signature verifies with `key`. */
export async function verifyCoseSign1(sign1: CoseSign1, key: webcrypto.CryptoKey): Promise<void> {
  const spec = ALGS[sign1.alg];
  const curve = (key.algorithm as webcrypto.EcKeyAlgorithm).namedCurve;
  if (key.algorithm.name !== 'ECDSA' || curve !== spec.curve) {
    fail('ERR_EVIDENCE_SIGNATURE', `key is not an ECDSA ${spec.curve} key as ${sign1.alg} needs`);
  }
  // node:crypto's verify with P1363 encoding: Node 20's webcrypto ECDSA verify rejected the PSA
  // reference tokens that OpenSSL accepts.
  const ok = verify(
    spec.hash.replace('-', '').toLowerCase(),
    sigStructure(sign1.protectedBytes, sign1.payload),
    { key: KeyObject.from(key), dsaEncoding: 'ieee-p1363' },
    sign1.signature,
  );
  if (!ok) fail('ERR_EVIDENCE_SIGNATURE', 'evidence signature does not verify');
}

/** Signs `payload` as a COSE_Sign1 (tag 18 unless told otherwise). */
export async function signCoseSign1(
  payload: Uint8Array,
  key: webcrypto.CryptoKey,
  alg: CoseAlg,
  options: { tagged?: boolean } = {},
): Promise<Uint8Array> {
  const spec = ALGS[alg];
  const protectedBytes = encodeCbor(new Map([[HEADER_ALG, spec.id]]));
  const signature = new Uint8Array(
    await webcrypto.subtle.sign(
      { name: 'ECDSA', hash: spec.hash },
      key,
      sigStructure(protectedBytes, payload),
    ),
  );
  const body = [protectedBytes, new Map(), payload, signature];
  return encodeCbor(options.tagged === false ? body : new Tag(body, COSE_SIGN1_TAG));
}

/** Imports an SPKI (DER) EC public key for ECDSA verification, curve taken from the key. */
export async function importEcPublicKey(spki: Uint8Array): Promise<webcrypto.CryptoKey> {
  for (const namedCurve of ['P-256', 'P-384']) {
    try {
      return await webcrypto.subtle.importKey('spki', spki, { name: 'ECDSA', namedCurve }, true, [
        'verify',
      ]);
    } catch {
      // try the next curve
    }
  }
  return fail('ERR_ENDORSEMENT_UNKNOWN', 'endorsement is not an EC P-256/P-384 public key');
}
