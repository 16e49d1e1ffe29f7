// PSA tokens re-signed for tests: the claims of a given token (e.g. a shared reference token) with
// its instance id replaced, signed by a test key. Not used by production code.
import { webcrypto } from 'node:crypto';
import { asBytes, asMap, decodeCbor, encodeCbor } from '../cbor.js';
import { parseCoseSign1, signCoseSign1 } from '../cose.js';

/** The claims of `token` with the instance id (2.0.0 key 256, IoT-1 key -75009) set, re-signed. */
export async function resignPsaToken(
  token: Uint8Array,
  instanceId: Uint8Array,
  privateKey: webcrypto.CryptoKey,
): Promise<Uint8Array> {
  const claims = asMap(decodeCbor(parseCoseSign1(token, ['ES256']).payload), 'PSA claims');
  const key = claims.has(256) ? 256 : -75009;
  asBytes(claims.get(key), 'instance id');
  claims.set(key, instanceId);
  return signCoseSign1(encodeCbor(claims), privateKey, 'ES256');
}

export async function generateP256(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
}
