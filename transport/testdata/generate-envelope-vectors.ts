// Regenerates transport/testdata/envelope-vectors.json (run once; signatures are randomised, so
// the output changes on every run): `node --import tsx transport/testdata/generate-envelope-vectors.ts`
import { writeFileSync } from 'node:fs';
import { encodePlain } from '../plain-msgpack.js';
import { signEnvelope, type EnvelopeHeader } from '../envelope.js';
import { signedPart } from '../envelope-layout.js';
import { scanMsgpack } from '../msgpack-scan.js';
import { exportVerifyKey, generateSigningKeyPair, signBytes } from '../signing-keys.js';
import { writeSigned, writeUnsigned } from '../envelope-layout.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
/** JSON view of a body: bytes become {"$bytes": hex}. */
const json = (v: unknown): unknown =>
  v instanceof Uint8Array ? { $bytes: hex(v) } : Array.isArray(v) ? v.map(json) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, json(x)])) : v;

const bodies: Array<[string, EnvelopeHeader, unknown]> = [
  ['small challenge', { kind: 'attest.challenge', computation: 'demo', from: 'verifier', seq: 1, ts: 1_790_000_000_000 }, { nonce: new Uint8Array(32).fill(0xab) }],
  ['provision chunk with 300-byte data (bin16)', { kind: 'provision.data', computation: 'c-42_x', from: 'participant:1', seq: 70_000, ts: 1_790_000_000_123 }, { path: '/input/a.dat', offset: 0, final: true, data: Uint8Array.from({ length: 300 }, (_, i) => i & 0xff) }],
  ['result read, empty map body, seq 0', { kind: 'result.read', computation: 'demo', from: 'participant:2', seq: 0, ts: 0 }, {}],
];

async function main(): Promise<void> {
  const out: Record<string, unknown> = {
    description: 'Veracruz-TS signed envelopes (docs/protocol.md). Check: decode, verify sig over signedBytes with the key, compare fields; negative vectors must be refused with the given code.',
    keys: {},
    vectors: [],
    negative: [],
  };
  for (const alg of ['ES256', 'Ed25519'] as const) {
    const pair = await generateSigningKeyPair(alg);
    (out['keys'] as Record<string, string>)[alg] = hex(await exportVerifyKey(pair.publicKey));
    for (const [name, header, body] of bodies) {
      const envelope = await signEnvelope(header, body, pair.privateKey);
      const items = scanMsgpack(envelope, { maxBytes: 1 << 20, maxDepth: 1 });
      (out['vectors'] as unknown[]).push({
        name: `${alg}: ${name}`,
        key: alg,
        envelope: hex(envelope),
        signedBytes: hex(signedPart(envelope, (items[14] as { start: number }).start)),
        expected: { v: 1, ...header, bodyBytes: hex(encodePlain(body)), body: json(body) },
      });
    }
    if (alg !== 'ES256') continue;
    const [name, header, body] = bodies[0] as [string, EnvelopeHeader, unknown];
    const good = await signEnvelope(header, body, pair.privateKey);
    const flipped = good.slice();
    flipped[20] = (flipped[20] as number) ^ 0x01;
    const negative = out['negative'] as unknown[];
    negative.push({ name: `${name}: one bit flipped in the header`, key: alg, envelope: hex(flipped), error: 'ERR_SIGNATURE_INVALID' });
    negative.push({ name: `${name}: truncated`, key: alg, envelope: hex(good.subarray(0, good.length - 1)), error: 'ERR_ENVELOPE_TRUNCATED' });
    const ext = writeUnsigned({ ...header, kind: 'test.any' }, Uint8Array.of(0xd6, 0xff, 0, 0, 0, 0));
    negative.push({ name: 'timestamp extension in a signed body', key: alg, envelope: hex(writeSigned(ext, await signBytes(pair.privateKey, ext))), error: 'ERR_ENVELOPE_EXTENSION_TYPE' });
  }
  writeFileSync(new URL('./envelope-vectors.json', import.meta.url), `${JSON.stringify(out, null, 2)}\n`);
}

await main();
