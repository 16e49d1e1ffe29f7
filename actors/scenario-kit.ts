// Shared set-up for the protocol scenarios (Veracruz's server and integration tests): a system
// (embedded or NATS) exposing its bus, verifier CA and runtime measurement, plus helpers that make
// identities, policies for example programs, and check the journal.
import { readFileSync } from 'node:fs';
import type { GeneratedIdentity } from '../protocol/identity/index.js';
import type { LoadedPolicy } from '../protocol/policy/types.js';
import { readEnvelopeHeaderUnverified } from '../transport/envelope.js';
import { exampleNamed } from '../sdk/examples/index.js';
import type { Transport } from './bus/endpoint.js';
import { certificateSenderId } from './bus/sender-ids.js';
import type { Launched } from './launcher.js';
import { buildPolicy, newParticipant, type PolicySpec } from './policy-builder.js';

export interface ScenarioSystem {
  readonly bus: Transport;
  readonly caPem: string;
  readonly measurement: string;
  launch(
    policy: LoadedPolicy,
    options?: { timeoutMs?: number; verify?: boolean },
  ): Promise<Launched>;
  /** Journal entries recorded so far (subject + envelope bytes). */
  journal(): Promise<readonly { readonly subject: string; readonly data: Uint8Array }[]>;
}

export function wasmOf(example: string): Uint8Array {
  return new Uint8Array(readFileSync(exampleNamed(example).wasmPath));
}

export async function identities(count: number): Promise<GeneratedIdentity[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => newParticipant(`party-${i}`)));
}

export function policyFor(
  system: ScenarioSystem,
  spec: Omit<PolicySpec, 'proxyServiceCertPem' | 'simMeasurements'> &
    Partial<Pick<PolicySpec, 'simMeasurements' | 'proxyServiceCertPem'>>,
): LoadedPolicy {
  return buildPolicy({
    proxyServiceCertPem: system.caPem,
    simMeasurements: [system.measurement],
    ...spec,
  });
}

/** Kinds a sender put on the enclave subject of a computation, read from the journal. */
export async function kindsSentBy(
  system: ScenarioSystem,
  computation: string,
  identity: GeneratedIdentity,
): Promise<string[]> {
  const sender = certificateSenderId(new Uint8Array(identity.certificate.rawData));
  return (await system.journal())
    .filter((e) => e.subject === `vc.c.${computation}.enclave`)
    .map((e) => readEnvelopeHeaderUnverified(e.data))
    .filter((h) => h.from === sender)
    .map((h) => h.kind);
}
