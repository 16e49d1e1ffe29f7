// Turns a scenario into a concrete run: fresh throw-away identities for every party (P-256,
// self-signed, as `vc identity new` makes them) and a policy built from the plan by the project's
// generator (protocol/policy's policyFromSpec, vc-pgen semantics) naming the verifier's CA and the
// runtime measurements it accepts.
import {
  createIdentity,
  type GeneratedIdentity,
  type Identity,
  policyFromSpec,
  type LoadedPolicy,
  computationIdFor,
} from '../protocol/index.js';
import type { Scenario, ScenarioPlan } from './scenario.js';

/** What the policy must say about the verifier and the runtime (from the running system). */
export interface Trust {
  /** The verifier CA certificate: the policy's proxy_service_cert. */
  readonly caCertificatePem: string;
  /** Accepted runtime measurements on the sim platform. */
  readonly measurements: readonly string[];
  /** HOST:PORT written into the policy's server URL fields (informational for us). */
  readonly serverAddress?: string;
}

export interface PreparedRun<I extends Identity = Identity> {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly plan: ScenarioPlan;
  readonly identities: ReadonlyMap<string, I>;
  readonly policyText: string;
  readonly policy: LoadedPolicy;
  readonly computation: string;
}

export interface PrepareOptions {
  readonly seed?: number;
  readonly now?: Date;
  /** Days the enclave certificate may live (the policy's enclave_cert_expiry), default 30. */
  readonly expiryDays?: number;
}

export async function prepareRun(
  scenario: Scenario,
  trust: Trust,
  options: PrepareOptions = {},
): Promise<PreparedRun<GeneratedIdentity>> {
  const now = options.now ?? new Date();
  const seed = options.seed ?? 1;
  const plan = scenario.plan(seed);
  const limits = plan.limits;
  // Valid from an hour ago so that small clock differences between machines do not matter.
  const notBefore = new Date(now.getTime() - 3600_000);
  const identities = new Map<string, GeneratedIdentity>();
  for (const party of plan.parties)
    identities.set(party.name, await createIdentity({ name: party.name, now: notBefore }));
  const policy = policyFromSpec(
    {
      participants: plan.parties.map((party) => ({
        identity: identities.get(party.name)!,
        capabilities: party.capabilities,
      })),
      programs: plan.programs.map((program) => ({
        path: program.path,
        bytes: program.wasm,
        capabilities: program.capabilities,
      })),
      ...(plan.pipelines ? { pipelines: plan.pipelines } : {}),
      proxyServiceCertPem: trust.caCertificatePem,
      simMeasurements: trust.measurements,
      expiry: new Date(now.getTime() + (options.expiryDays ?? 30) * 86400_000),
      ...(trust.serverAddress ? { serverAddress: trust.serverAddress } : {}),
      ...(limits?.maxMemoryMib === undefined ? {} : { maxMemoryMib: limits.maxMemoryMib }),
      extensions: {
        shutdown: { rule: 'any' },
        ...(limits?.executionTimeoutMs === undefined
          ? {}
          : { executionTimeoutMs: limits.executionTimeoutMs }),
        ...(limits?.storageQuotaBytes === undefined
          ? {}
          : { storageQuotaBytes: limits.storageQuotaBytes }),
      },
    },
    now,
  );
  return {
    scenario,
    seed,
    plan,
    identities,
    policyText: new TextDecoder().decode(policy.bytes),
    policy,
    computation: computationIdFor(policy.hash),
  };
}
