// Builds policy files programmatically (tests, scenarios, benchmarks): participants with their
// certificates and capabilities, programs with automatic file hashes, pipelines, and the verifier CA
// and runtime measurement the embedded system uses.
import { createHash } from 'node:crypto';
import { createIdentity, type GeneratedIdentity } from '../protocol/identity/index.js';
import { generatePolicyText } from '../protocol/policy/generate.js';
import { parsePolicy } from '../protocol/policy/parse-policy.js';
import type { LoadedPolicy, PolicyExtensions } from '../protocol/policy/types.js';

export interface PolicyParticipantSpec {
  readonly identity: { readonly certificatePem: string };
  /** Capability entries `PATH:RIGHTS`, e.g. `/program/:w`, `/output/:r`. */
  readonly capabilities: readonly string[];
}

export interface PolicySpec {
  readonly participants: readonly PolicyParticipantSpec[];
  readonly programs: readonly {
    readonly path: string;
    readonly bytes: Uint8Array;
    readonly capabilities: readonly string[];
  }[];
  readonly pipelines?: readonly {
    readonly pipeline: string;
    readonly capabilities: readonly string[];
  }[];
  /** The verifier CA certificate (PEM), the policy's proxy_service_cert. */
  readonly proxyServiceCertPem: string;
  /** Allowed runtime measurements for the sim platform. */
  readonly simMeasurements: readonly string[];
  readonly expiry?: Date;
  readonly maxMemoryMib?: number;
  readonly extensions?: PolicyExtensions;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function buildPolicyText(spec: PolicySpec): string {
  const expiry = spec.expiry ?? new Date(Date.now() + 30 * 86400_000);
  return generatePolicyText({
    participants: spec.participants.map((p) => ({
      certificatePem: p.identity.certificatePem,
      capabilities: p.capabilities,
    })),
    programs: spec.programs.map((p) => ({
      path: p.path,
      hash: sha256Hex(p.bytes),
      capabilities: p.capabilities,
    })),
    ...(spec.pipelines ? { pipelines: spec.pipelines } : {}),
    veracruzServerUrl: '127.0.0.1:4222',
    proxyAttestationServerUrl: '127.0.0.1:4222',
    proxyServiceCertPem: spec.proxyServiceCertPem,
    enclaveCertExpiry: {
      year: expiry.getUTCFullYear(),
      month: expiry.getUTCMonth() + 1,
      day: expiry.getUTCDate(),
      hour: expiry.getUTCHours(),
      minute: expiry.getUTCMinutes(),
    },
    ...(spec.maxMemoryMib === undefined ? {} : { maxMemoryMib: spec.maxMemoryMib }),
    extensions: { ...spec.extensions, runtimeHashes: { sim: [...spec.simMeasurements] } },
  });
}

export function buildPolicy(spec: PolicySpec, now?: Date): LoadedPolicy {
  return parsePolicy(new TextEncoder().encode(buildPolicyText(spec)), now ? { now } : {});
}

/** A participant identity valid from an hour before `now` (clock skew) for ten years. */
export function newParticipant(name: string, now: Date = new Date()): Promise<GeneratedIdentity> {
  return createIdentity({ name, now: new Date(now.getTime() - 3600_000) });
}
