// Test-only helpers for tests and benchmarks that drive a running system (actors/system/system.ts)
// directly: fresh identities, example programs' bytes, a policy naming the system's CA and
// measurement, and what a sender put on a computation's enclave subject according to the journal.
import { certificateSenderId, type System } from '../../actors/index.js';
import {
  createIdentity,
  type GeneratedIdentity,
  policyFromSpec,
  type PolicySpec,
  type LoadedPolicy,
  subjectsFor,
} from '../../protocol/index.js';
import { exampleProgram } from '../use-cases/support.js';

/** Identities valid from an hour ago (clock skew) for ten years, named `<prefix>-<i>`. */
export function identities(count: number, prefix = 'party'): Promise<GeneratedIdentity[]> {
  const notBefore = new Date(Date.now() - 3600_000);
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      createIdentity({ name: `${prefix}-${i}`, now: notBefore }),
    ),
  );
}

/** The built `.wasm` of an SDK example. */
export function wasmOf(example: string): Uint8Array {
  return exampleProgram(example, []).wasm;
}

/** What policyFor needs besides the system: the CA, measurements and expiry have defaults. */
export type SystemPolicySpec = Omit<PolicySpec, 'proxyServiceCertPem' | 'expiry'> &
  Partial<Pick<PolicySpec, 'proxyServiceCertPem' | 'expiry'>>;

/** A policy for `system`: its CA as proxy_service_cert, its measurement, 30 days to expiry. */
export function policyFor(
  system: Pick<System, 'ca' | 'measurement'>,
  spec: SystemPolicySpec,
): LoadedPolicy {
  const now = new Date();
  return policyFromSpec(
    {
      proxyServiceCertPem: system.ca.certificatePem,
      simMeasurements: [system.measurement],
      expiry: new Date(now.getTime() + 30 * 86400_000),
      ...spec,
    },
    now,
  );
}

/** Kinds a sender put on the enclave subject of a computation, read from the journal. */
export async function kindsSentBy(
  system: Pick<System, 'journal'>,
  computation: string,
  identity: GeneratedIdentity,
): Promise<string[]> {
  const sender = certificateSenderId(new Uint8Array(identity.certificate.rawData));
  return (await system.journal(computation))
    .filter((r) => r.subject === subjectsFor().enclave(computation) && r.header?.from === sender)
    .map((r) => r.header!.kind);
}
