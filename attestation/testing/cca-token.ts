// Synthetic Arm CCA attestation tokens for tests, in the real format (attestation/platforms/cca.ts):
// a platform token signed by a test CPAK and a realm token signed by a test RAK, collected under tag
// 907 ([263, bstr] values) or 399 (bstr values). Not used by production code.
import { webcrypto } from 'node:crypto';
import { sha2 } from '../bytes.js';
import { encodeCbor, Tag } from '../cbor.js';
import { signCoseSign1 } from '../cose.js';

type Pair = webcrypto.CryptoKeyPair;

export async function generateP384(): Promise<Pair> {
  return (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, [
    'sign',
    'verify',
  ])) as Pair;
}

/** The RAK as the COSE_Key EC2 map the current realm profiles carry in claim 44237. */
async function coseKeyOf(publicKey: webcrypto.CryptoKey): Promise<Uint8Array> {
  const raw = new Uint8Array(await webcrypto.subtle.exportKey('raw', publicKey));
  return encodeCbor(
    new Map<number, unknown>([
      [1, 2],
      [-1, 2],
      [-2, raw.slice(1, 49)],
      [-3, raw.slice(49, 97)],
    ]),
  );
}

export interface CcaTokenFields {
  readonly cpak: Pair;
  readonly rak: Pair;
  /** Signs the realm token instead of `rak` (a realm signature that does not match its RAK claim). */
  readonly realmSigner?: webcrypto.CryptoKey;
  readonly instanceId: Uint8Array;
  readonly realmChallenge: Uint8Array;
  readonly rim: Uint8Array;
  readonly rems?: readonly Uint8Array[];
  readonly personalization?: Uint8Array;
  readonly lifecycle?: number;
  /** Overrides the platform challenge (default SHA-256 of the RAK claim bytes). */
  readonly platformChallenge?: Uint8Array;
  readonly tag?: 907 | 399;
}

export async function makeCcaToken(fields: CcaTokenFields): Promise<Uint8Array> {
  const rakClaim = await coseKeyOf(fields.rak.publicKey);
  const realm = new Map<number, unknown>([
    [265, 'tag:arm.com,2024:realm#2.0.0'],
    [10, fields.realmChallenge],
    [44235, fields.personalization ?? new Uint8Array(64)],
    [44236, 'sha-256'],
    [44237, rakClaim],
    [44238, fields.rim],
    [44239, fields.rems ?? [1, 2, 3, 4].map((n) => new Uint8Array(32).fill(n))],
    [44240, 'sha-256'],
  ]);
  const platform = new Map<number, unknown>([
    [265, 'tag:arm.com,2023:cca_platform#1.0.0'],
    [10, fields.platformChallenge ?? sha2('sha256', rakClaim)],
    [256, fields.instanceId],
    [2395, fields.lifecycle ?? 0x3003],
    [2396, new Uint8Array(32).fill(0x7f)],
    [
      2399,
      [
        new Map<number, unknown>([
          [1, 'RSE_BL1_2'],
          [2, new Uint8Array(32).fill(9)],
        ]),
      ],
    ],
    [2402, 'sha-256'],
  ]);
  const platformToken = await signCoseSign1(encodeCbor(platform), fields.cpak.privateKey, 'ES384');
  const realmToken = await signCoseSign1(
    encodeCbor(realm),
    fields.realmSigner ?? fields.rak.privateKey,
    'ES384',
  );
  const tag = fields.tag ?? 907;
  const entry = (token: Uint8Array): unknown => (tag === 907 ? [263, token] : token);
  return encodeCbor(
    new Tag(
      new Map<number, unknown>([
        [44234, entry(platformToken)],
        [44241, entry(realmToken)],
      ]),
      tag,
    ),
  );
}
