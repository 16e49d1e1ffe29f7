// A complete, valid policy made on the spot with fresh identities: for tests here and in other
// areas (protocol, enclave, attestation) that need a real policy and the participants' keys.
import { sha256Hex } from '../hash.js';
import { createIdentity, type GeneratedIdentity } from '../identity/identity.js';
import { policyJsonFromSpec } from '../policy/generate.js';
import { serializePolicyJson } from '../policy/serialize.js';
import type { JsonObject } from '../policy/strict-json.js';
import type { PolicyExtensions } from '../policy/types.js';

export interface TestPolicy {
  /** The policy file text (vc-pgen layout). */
  readonly text: string;
  /** The same policy as a mutable JSON object (for making broken variants). */
  readonly json: JsonObject;
  /** Program provider (#0, w on /program/), data provider (#1, w on /input/), result reader (#2). */
  readonly participants: readonly [GeneratedIdentity, GeneratedIdentity, GeneratedIdentity];
  /** The verifier's CA (`proxy_service_cert`). */
  readonly verifier: GeneratedIdentity;
  readonly programPath: string;
  readonly programBytes: Uint8Array;
  /** The runtime measurement accepted on `sim` (and Veracruz's linux field). */
  readonly runtimeHash: string;
}

export interface TestPolicyOptions {
  /** Certificates start one day before `now` and last ten years; the enclave expiry is a year ahead. */
  readonly now: Date;
  readonly programBytes?: Uint8Array;
  readonly extensions?: PolicyExtensions;
}

const DAY = 24 * 60 * 60 * 1000;

export async function makeTestPolicy(options: TestPolicyOptions): Promise<TestPolicy> {
  const start = new Date(options.now.getTime() - DAY);
  const names = ['program-provider', 'data-provider', 'result-reader'] as const;
  const participants = (await Promise.all(
    names.map((name) => createIdentity({ name, now: start })),
  )) as unknown as TestPolicy['participants'];
  const verifier = await createIdentity({ name: 'verifier', now: start, ca: true });
  const programPath = '/program/example.wasm';
  const programBytes = options.programBytes ?? new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  const runtimeHash = sha256Hex(new TextEncoder().encode('veracruz-ts test runtime'));
  const json = policyJsonFromSpec({
    participants: [
      { identity: participants[0], capabilities: ['/program/:w'] },
      { identity: participants[1], capabilities: ['/input/:w', 'stdin:w'] },
      {
        identity: participants[2],
        capabilities: ['/program/:x', '/output/:r', 'stdout:r', 'stderr:r'],
      },
    ],
    programs: [
      {
        path: programPath,
        bytes: programBytes,
        capabilities: ['/input/:r', '/output/:rw', 'stdin:r', 'stdout:w', 'stderr:w'],
      },
    ],
    pipelines: [
      {
        pipeline: `${programPath} ; if /output/again { ${programPath} }`,
        capabilities: ['/input/:r', '/output/:rw'],
      },
    ],
    serverAddress: '127.0.0.1:3017',
    proxyServiceCertPem: verifier.certificatePem,
    runtimeManagerHashLinux: runtimeHash,
    expiry: new Date(options.now.getTime() + 365 * DAY),
    ...(options.extensions ? { extensions: options.extensions } : {}),
  });
  return {
    text: serializePolicyJson(json),
    json,
    participants,
    verifier,
    programPath,
    programBytes,
    runtimeHash,
  };
}
