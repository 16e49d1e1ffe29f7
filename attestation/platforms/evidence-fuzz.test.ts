// Fuzz of each platform's evidence parser: thousands of mutations of real evidence (Nitro, PSA, CCA,
// SEV-SNP, DCAP) and of evidence made here (sim; PSA claims, CCA realm claims and SEV-SNP reports re-signed
// with keys of ours), each appraised as
// `vc attest verify` would. Every outcome is a verdict or a refusal with an attestation code: never
// ERR_INTERNAL, never anything but a VcError. Fixed seeds and counts, so a run is reproducible.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { webcrypto } from 'node:crypto';
import fc from 'fast-check';
import {
  hasSharedTestdata,
  requireResource,
  sharedTestdata,
} from '../../test-support/requirements.js';
import { concatBytes, pemBlocks } from '../bytes.js';
import { asMap, decodeCbor, encodeCbor, isTag, Tag } from '../cbor.js';
import { signCoseSign1, type CoseAlg } from '../cose.js';
import { endorsedKeysFromPem, instanceIdOf } from '../endorsement-keys.js';
import { isVcError } from '../../protocol/index.js';
import { generateP384, makeCcaToken } from '../testing/cca-token.js';
import { appraiseCca } from './cca.js';
import { appraiseSevSnp } from './sevsnp.js';
import { encodeDcapEvidence, sgxPlugin, tdxPlugin } from './tdx.js';
import { AMD_ARK_PEMS } from './sevsnp-roots.js';
import {
  createSnpPki,
  resignSnpReport,
  signSnpReport,
  withCertificates,
} from '../testing/sevsnp-pki.js';
import { appraiseNitro } from './nitro.js';
import { appraisePsa } from './psa.js';
import { simPlugin } from './sim.js';
import { encodeSimClaims } from './sim-token.js';
import type { AppraisalOptions, AppraisedEvidence, EndorsedKey } from './types.js';

type Appraise = (evidence: Uint8Array, options: AppraisalOptions) => Promise<AppraisedEvidence>;

/** CBOR initial bytes worth planting: long lengths, indefinite items, tags, floats, break. */
const CBOR_SPECIALS = [
  0x1b, 0x3b, 0x5b, 0x5f, 0x7b, 0x7f, 0x9b, 0x9f, 0xbb, 0xbf, 0xc0, 0xc1, 0xc2, 0xd8, 0xd9, 0xf4,
  0xf5, 0xf6, 0xf7, 0xf9, 0xfa, 0xfb, 0xff, 0x00, 0x18, 0x40, 0x60, 0x80, 0xa0,
];

type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; value: number }
  | { op: 'special'; at: number; value: number }
  | { op: 'truncate'; at: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; length: number }
  | { op: 'duplicate'; at: number; length: number };

const position = fc.nat({ max: 0xffff });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: position, bit: fc.nat({ max: 7 }) }),
  fc.record({ op: fc.constant('set' as const), at: position, value: fc.nat({ max: 255 }) }),
  fc.record({
    op: fc.constant('special' as const),
    at: position,
    value: fc.constantFrom(...CBOR_SPECIALS),
  }),
  fc.record({ op: fc.constant('truncate' as const), at: position }),
  fc.record({
    op: fc.constant('insert' as const),
    at: position,
    bytes: fc.uint8Array({ minLength: 1, maxLength: 9 }),
  }),
  fc.record({
    op: fc.constant('delete' as const),
    at: position,
    length: fc.integer({ min: 1, max: 16 }),
  }),
  fc.record({
    op: fc.constant('duplicate' as const),
    at: position,
    length: fc.integer({ min: 1, max: 64 }),
  }),
);
const mutations = fc.array(mutation, { minLength: 1, maxLength: 4 });

function mutate(base: Uint8Array, list: readonly Mutation[]): Uint8Array {
  let bytes = Uint8Array.from(base);
  for (const m of list) {
    if (bytes.length === 0) return bytes;
    const at = m.at % bytes.length;
    switch (m.op) {
      case 'flip':
        bytes[at] = (bytes[at] ?? 0) ^ (1 << m.bit);
        break;
      case 'set':
      case 'special':
        bytes[at] = m.value;
        break;
      case 'truncate':
        bytes = bytes.slice(0, at);
        break;
      case 'insert':
        bytes = Uint8Array.from([...bytes.slice(0, at), ...m.bytes, ...bytes.slice(at)]);
        break;
      case 'delete':
        bytes = Uint8Array.from([...bytes.slice(0, at), ...bytes.slice(at + m.length)]);
        break;
      case 'duplicate':
        bytes = Uint8Array.from([
          ...bytes.slice(0, at + m.length),
          ...bytes.slice(at, at + m.length),
          ...bytes.slice(at + m.length),
        ]);
        break;
      default: {
        const never: never = m;
        throw new Error(`unknown mutation ${String(never)}`);
      }
    }
  }
  return bytes;
}

/** Appraises and returns the refusal's code, or 'accepted'; anything that is not a VcError fails. */
async function outcome(
  appraise: Appraise,
  evidence: Uint8Array,
  options: AppraisalOptions,
): Promise<string> {
  try {
    const result = await appraise(evidence, options);
    // what `vc attest verify --json` prints must be printable
    JSON.stringify(result.claims);
    return 'accepted';
  } catch (error) {
    assert.ok(isVcError(error), `not a VcError: ${String((error as Error).stack ?? error)}`);
    assert.notEqual(error.code, 'ERR_INTERNAL', error.message);
    return error.code;
  }
}

/**
 * Runs `runs` mutated copies of `bases` through `appraise`, asserting each outcome is typed; the
 * codes seen are returned so a test can check the fuzz reached past the first parse.
 */
async function fuzz(options: {
  appraise: Appraise;
  bases: readonly Uint8Array[];
  appraisal: AppraisalOptions;
  /** Re-encodes mutated payload bytes into evidence (signed by a key the appraisal trusts). */
  resign?: (payload: Uint8Array) => Promise<Uint8Array>;
  seed: number;
  runs: number;
}): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  const started = Date.now();
  await fc.assert(
    fc.asyncProperty(fc.nat({ max: options.bases.length - 1 }), mutations, async (which, list) => {
      const base = options.bases[which] as Uint8Array;
      const evidence = options.resign
        ? await options.resign(mutate(base, list))
        : mutate(base, list);
      const code = await outcome(options.appraise, evidence, options.appraisal);
      seen.set(code, (seen.get(code) ?? 0) + 1);
    }),
    { numRuns: options.runs, seed: options.seed, endOnFailure: true },
  );
  assert.ok(Date.now() - started < 30_000, 'the fuzz stays bounded');
  return seen;
}

async function p256(): Promise<{ key: EndorsedKey; sign: (p: Uint8Array) => Promise<Uint8Array> }> {
  const pair = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  return {
    key: { instanceId: await instanceIdOf(pair.publicKey), key: pair.publicKey },
    sign: (payload) => signCoseSign1(payload, pair.privateKey, 'ES256' satisfies CoseAlg),
  };
}

test('fuzz: mutated Nitro documents are refused with a code, never ERR_INTERNAL', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const dir = `${sharedTestdata}nitro/`;
  const roots = pemBlocks(readFileSync(`${dir}nitro.pem`, 'utf8'), 'CERTIFICATE');
  const bases = ['valid-attestation-doc-bytes', 'debug-mode-attestation-doc-bytes'].map(
    (name) => new Uint8Array(readFileSync(dir + name)),
  );
  for (const at of ['document', new Date('2022-10-13T09:00:00Z')] as const) {
    const seen = await fuzz({
      appraise: appraiseNitro,
      bases,
      appraisal: { at, roots, allowDebug: true },
      seed: at === 'document' ? 13 : 14,
      runs: 1000,
    });
    assert.ok(seen.size >= 3, `several refusals reached: ${[...seen.keys()].join(', ')}`);
  }
});

test('fuzz: mutated PSA tokens are refused with a code, never ERR_INTERNAL', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const dir = `${sharedTestdata}psa/`;
  const keys = await endorsedKeysFromPem(readFileSync(`${dir}public.pem`, 'utf8'));
  const bases = ['psa-2_0_0_sign1.bin', 'psa-iot-1_sign1.bin'].map(
    (name) => new Uint8Array(readFileSync(dir + name)),
  );
  const appraisal: AppraisalOptions = { at: new Date(0), keys, allowDebug: true };
  const seen = await fuzz({ appraise: appraisePsa, bases, appraisal, seed: 21, runs: 2000 });
  assert.ok(seen.size >= 3, `several refusals reached: ${[...seen.keys()].join(', ')}`);
  // The claims re-signed by a key of ours with its instance id, so mutations reach past the signature.
  const ours = await p256();
  const payloads = bases.map((token) => {
    const decoded = decodeCbor(token);
    const outer = (isTag(decoded) ? decoded.value : decoded) as unknown[];
    const claims = asMap(decodeCbor(outer[2] as Uint8Array), 'claims');
    for (const id of [256, -75009]) {
      if (claims.has(id)) claims.set(id, Buffer.from(ours.key.instanceId, 'hex'));
    }
    return encodeCbor(claims);
  });
  const signed = await fuzz({
    appraise: appraisePsa,
    bases: payloads,
    appraisal: { at: new Date(0), keys: [ours.key], allowDebug: true },
    resign: ours.sign,
    seed: 22,
    runs: 2000,
  });
  assert.ok(signed.has('accepted') && signed.size >= 3, [...signed.keys()].join(', '));
});

test('fuzz: mutated sim evidence is refused with a code, never ERR_INTERNAL', async () => {
  const ours = await p256();
  const claims = encodeSimClaims({
    nonce: new Uint8Array(32).fill(7),
    instanceId: ours.key.instanceId,
    measurement: 'ab'.repeat(32),
    csrHash: new Uint8Array(32).fill(1),
    policyHash: new Uint8Array(32).fill(2),
  });
  const appraisal: AppraisalOptions = { at: new Date(), keys: [ours.key] };
  const token = await ours.sign(claims);
  assert.equal((await simPlugin.appraise(token, appraisal)).platform, 'sim');
  const whole = await fuzz({
    appraise: simPlugin.appraise,
    bases: [token],
    appraisal,
    seed: 31,
    runs: 2000,
  });
  assert.ok(whole.size >= 3, [...whole.keys()].join(', '));
  const signed = await fuzz({
    appraise: simPlugin.appraise,
    bases: [claims],
    appraisal,
    resign: ours.sign,
    seed: 32,
    runs: 2000,
  });
  assert.ok(signed.has('accepted') && signed.size >= 3, [...signed.keys()].join(', '));
});

test('fuzz: mutated CCA tokens are refused with a code, never ERR_INTERNAL', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const dir = `${sharedTestdata}cca/`;
  const cpak = await endorsedKeysFromPem(readFileSync(`${dir}cpak.pub.pem`, 'utf8'));
  const bases = [
    'cca-example-token-907-realm2.cbor',
    'cca-example-token-399-draft00.cbor',
    'ccatoken-good-907-es256.cbor',
    'bad-binding-bug33.cbor',
  ].map((name) => new Uint8Array(readFileSync(dir + name)));
  const raw = await fuzz({
    appraise: appraiseCca,
    bases,
    appraisal: { at: new Date(), keys: cpak, anyInstance: true, allowDebug: true },
    seed: 41,
    runs: 1500,
  });
  assert.ok(raw.size >= 3, `several refusals reached: ${[...raw.keys()].join(', ')}`);
  // Realm claims of our own, mutated and re-signed by their RAK inside a platform token binding
  // that RAK, so mutations reach past both signatures.
  const cpakPair = await generateP384();
  const rak = await generateP384();
  const instanceId = new Uint8Array(33).fill(1);
  const token = await makeCcaToken({
    cpak: cpakPair,
    rak,
    instanceId,
    realmChallenge: new Uint8Array(64).fill(2),
    rim: new Uint8Array(32).fill(3),
  });
  const collection = decodeCbor(token) as { value: Map<number, [number, Uint8Array]> };
  const realmToken = decodeCbor(collection.value.get(44241)?.[1] ?? new Uint8Array()) as {
    value: unknown[];
  };
  const realmClaims = realmToken.value[2] as Uint8Array;
  const keys = [{ instanceId: '01'.repeat(33), key: cpakPair.publicKey }];
  const signed = await fuzz({
    appraise: appraiseCca,
    bases: [realmClaims],
    appraisal: {
      at: new Date(),
      keys,
      expectedNonce: new Uint8Array(64).fill(2),
      allowedMeasurements: new Set(['03'.repeat(32)]),
    },
    resign: async (claims) => {
      const realm = await signCoseSign1(claims, rak.privateKey, 'ES384');
      return encodeCbor(
        new Tag(
          new Map([
            [44234, collection.value.get(44234)],
            [44241, [263, realm]],
          ]),
          907,
        ),
      );
    },
    seed: 42,
    runs: 1000,
  });
  assert.ok(signed.has('accepted') && signed.size >= 3, [...signed.keys()].join(', '));
});

test('fuzz: mutated SEV-SNP reports are refused with a code, never ERR_INTERNAL', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const dir = `${sharedTestdata}sevsnp/`;
  const file = (name: string): Uint8Array => new Uint8Array(readFileSync(dir + name));
  const ask = (name: string): Uint8Array =>
    pemBlocks(readFileSync(dir + name, 'utf8'), 'CERTIFICATE')[0] ?? new Uint8Array();
  // Real reports with their VCEK and ASK appended (an extended report), so mutations hit both.
  const bases = [
    concatBytes(file('genoa-v5-report.bin'), file('genoa-vcek.der'), ask('ask_ark_genoa.pem')),
    concatBytes(file('turin-v5-report.bin'), file('turin-vcek.der'), ask('ask_ark_turin_vcek.pem')),
  ];
  const roots = AMD_ARK_PEMS.flatMap((pem) => pemBlocks(pem, 'CERTIFICATE'));
  const at = new Date('2026-01-01T00:00:00Z');
  const seen = await fuzz({
    appraise: appraiseSevSnp,
    bases,
    appraisal: { at, roots, allowDebug: true },
    seed: 31,
    runs: 1000,
  });
  assert.ok(seen.size >= 3, `several refusals reached: ${[...seen.keys()].join(', ')}`);
  // Reports re-signed by a VCEK of ours after mutation, so mutations reach the checks past the signature.
  const pki = await createSnpPki(at);
  const signed = await fuzz({
    appraise: appraiseSevSnp,
    bases: [await signSnpReport(pki, {})],
    appraisal: { at, roots: [new Uint8Array(pki.ark.rawData)], allowDebug: true },
    resign: async (bytes) =>
      bytes.length < 0x4a0 ? bytes : withCertificates(await resignSnpReport(pki, bytes), pki),
    seed: 32,
    runs: 1000,
  });
  assert.ok(signed.has('accepted') && signed.size >= 3, [...signed.keys()].join(', '));
});

test('fuzz: mutated DCAP quotes and collateral are refused with a code, never ERR_INTERNAL', async (t) => {
  if (!requireResource(t, '../shared/testdata', hasSharedTestdata())) return;
  const dir = `${sharedTestdata}tdx/`;
  const roots = [new Uint8Array(readFileSync(`${dir}TrustedRootCA.der`))];
  const at = new Date('2025-07-01T00:00:00Z');
  for (const [name, plugin] of [
    ['tdx_quote', tdxPlugin],
    ['sgx_quote', sgxPlugin],
  ] as const) {
    const quote = new Uint8Array(readFileSync(dir + name));
    const collateral = readFileSync(`${dir}${name}_collateral.json`, 'utf8');
    const appraisal: AppraisalOptions = { at, roots, allowDebug: true };
    // The quote mutated, the collateral intact; then the collateral text mutated, the quote intact.
    const quotes = await fuzz({
      appraise: (q, o) => plugin.appraise(encodeDcapEvidence(q, collateral), o),
      bases: [quote],
      appraisal,
      seed: 31,
      runs: 300,
    });
    assert.ok(quotes.size >= 3, `several refusals reached: ${[...quotes.keys()].join(', ')}`);
    const texts = await fuzz({
      appraise: (c, o) =>
        plugin.appraise(encodeDcapEvidence(quote, new TextDecoder().decode(c)), o),
      bases: [new TextEncoder().encode(collateral)],
      appraisal,
      seed: 32,
      runs: 300,
    });
    assert.ok(texts.size >= 2, `several refusals reached: ${[...texts.keys()].join(', ')}`);
  }
});
