// The policy generator (Veracruz's vc-pgen, `generate-policy`), as pure functions: files are read
// by the caller (cli/commands/policy.ts), so the same inputs always give the same bytes.
// Field values are produced exactly as vc-pgen produces them; docs/policy.md lists the few options
// we add and the one thing we check more strictly (the resulting policy must pass parsePolicy).
// `policyFromSpec` is the one way to build a policy from what a program holds (identities, program
// bytes, a date): scenarios, tests and benchmarks all use it.
import { sha256Hex } from '../hash.js';
import { PolicyError } from './errors.js';
import { parsePolicy } from './parse-policy.js';
import { extensionsToJson } from './extensions.js';
import { parsePipeline } from './pipeline.js';
import { isPseudoFile } from './paths.js';
import { parseRights } from './rights.js';
import { serializePolicyJson } from './serialize.js';
import type { JsonObject, JsonValue } from './strict-json.js';
import type { LoadedPolicy, PolicyExtensions } from './types.js';

/** vc-pgen's single ciphersuite. */
const POLICY_CIPHERSUITE = 'TLS1_3_CHACHA20_POLY1305_SHA256';
export const DEFAULT_MAX_MEMORY_MIB = 256;

/** A time point as written ({year, month, day, hour, minute}), see parseTimepoint. */
export interface Timepoint {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
}

export interface GeneratePolicyInput {
  /** Participants in order (ids 0, 1, ...): certificate PEM text and capability entries `PATH:RIGHTS`. */
  readonly participants: readonly {
    readonly certificatePem: string;
    readonly capabilities: readonly string[];
  }[];
  /** Programs in order (ids 0, 1, ...): path inside the enclave, SHA-256 of the binary, capabilities. */
  readonly programs: readonly {
    readonly path: string;
    readonly hash: string;
    readonly capabilities: readonly string[];
  }[];
  /** Pipelines in order (named "0", "1", ...). */
  readonly pipelines?: readonly {
    readonly pipeline: string;
    readonly capabilities: readonly string[];
  }[];
  /** Further files whose hash the enclave checks (`--hashes`). */
  readonly extraHashes?: readonly { readonly path: string; readonly hash: string }[];
  /**
   * Native modules; an empty entry point means a static module (vc-pgen), an empty special file a
   * provisioned one (our addition: vc-pgen cannot write those).
   */
  readonly nativeModules?: readonly {
    readonly name: string;
    readonly entryPoint: string;
    readonly specialFile: string;
  }[];
  readonly veracruzServerUrl: string;
  readonly proxyAttestationServerUrl: string;
  /** The verifier's CA certificate, exactly as its file reads. */
  readonly proxyServiceCertPem: string;
  readonly runtimeManagerHashLinux?: string | null;
  readonly runtimeManagerHashNitro?: string | null;
  readonly runtimeManagerHashSevsnp?: string | null;
  readonly enclaveCertExpiry: Timepoint;
  readonly debug?: boolean;
  readonly executionStrategy?: 'Interpretation' | 'JIT';
  readonly enableClock?: boolean;
  readonly maxMemoryMib?: number;
  /** Our extensions, written under `veracruz_ts` when any is set. */
  readonly extensions?: PolicyExtensions;
}

function usage(path: string, message: string): PolicyError {
  return new PolicyError('ERR_POLICY_MISSING_FIELD', path, message);
}

/** vc-pgen's `enforce_leading_slash`: everything but the standard streams becomes absolute. */
export function enforceLeadingSlash(path: string): string {
  return path.startsWith('/') || isPseudoFile(path) ? path : `/${path}`;
}

/** vc-pgen's Nitro hash: the PCR0 file's text without newlines, cut to 64 hex digits. */
export function nitroHashFromPcrFile(text: string): string {
  return text.replace(/\n/g, '').slice(0, 64);
}

/** vc-pgen re-wraps identity certificates: no newlines inside, one after BEGIN and before END. */
export function normalizeIdentityPem(pem: string): string {
  return pem
    .replace(/\n/g, '')
    .replace(/-----BEGIN CERTIFICATE-----/g, '-----BEGIN CERTIFICATE-----\n')
    .replace(/-----END CERTIFICATE-----/g, '\n-----END CERTIFICATE-----');
}

/** One capability entry `PATH:RIGHTS` (rights as r/w/x letters or a WASI number). */
export function parseCapability(entry: string): { file_name: string; rights: number } {
  const [name, rights, ...rest] = entry.split(':');
  if (name === undefined || rights === undefined || rest.length > 0 || name.trim() === '') {
    throw new PolicyError('ERR_POLICY_BAD_RIGHTS', '$', `capability "${entry}" is not PATH:RIGHTS`);
  }
  return { file_name: enforceLeadingSlash(name.trim()), rights: parseRights(rights.trim()) };
}

const RFC2822 =
  /^(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{2}):(\d{2})(?::\d{2})?\s+([+-]\d{4}|GMT|UT|Z)$/;
const ISO8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * Reads an expiry given as RFC 2822 (vc-pgen's format, `Thu, 01 Jul 2027 12:00:00 +0000`) or ISO
 * 8601 (`2027-07-01T12:00Z`). Like vc-pgen, the fields are taken as written, in the text's own
 * offset; the policy reads them as UTC, so give the time in UTC.
 */
export function parseTimepoint(text: string): Timepoint {
  const rfc = RFC2822.exec(text.trim());
  if (rfc) {
    const month = MONTHS.indexOf((rfc[2] ?? '').toLowerCase()) + 1;
    if (month > 0)
      return {
        year: Number(rfc[3]),
        month,
        day: Number(rfc[1]),
        hour: Number(rfc[4]),
        minute: Number(rfc[5]),
      };
  }
  const iso = ISO8601.exec(text.trim());
  if (iso) {
    return {
      year: Number(iso[1]),
      month: Number(iso[2]),
      day: Number(iso[3]),
      hour: Number(iso[4] ?? 0),
      minute: Number(iso[5] ?? 0),
    };
  }
  throw new PolicyError(
    'ERR_POLICY_BAD_EXPIRY',
    '$.enclave_cert_expiry',
    `"${text}" is neither RFC 2822 nor ISO 8601`,
  );
}

function rightsList(capabilities: readonly string[]): JsonValue[] {
  return capabilities.map(parseCapability);
}

function nativeModule(module: {
  name: string;
  entryPoint: string;
  specialFile: string;
}): JsonObject {
  const specialFile = enforceLeadingSlash(module.specialFile);
  const type: JsonObject =
    module.entryPoint === ''
      ? { Static: { special_file: specialFile } }
      : module.specialFile === ''
        ? { Provisioned: { entry_point: enforceLeadingSlash(module.entryPoint) } }
        : { Dynamic: { entry_point: module.entryPoint, special_file: specialFile } };
  return { name: module.name, type };
}

/** The policy as a JSON value, field for field what vc-pgen writes (plus `veracruz_ts`). */
function generatePolicyJson(input: GeneratePolicyInput): JsonObject {
  if (input.participants.length === 0)
    throw usage('$.identities', 'at least one certificate is needed');
  if (input.programs.length === 0)
    throw usage('$.programs', 'at least one program binary is needed');
  const pipelines = input.pipelines ?? [];
  pipelines.forEach((entry) => parsePipeline(entry.pipeline));
  const json: JsonObject = {
    ciphersuite: POLICY_CIPHERSUITE,
    debug: input.debug ?? false,
    enable_clock: input.enableClock ?? false,
    enclave_cert_expiry: { ...input.enclaveCertExpiry },
    execution_strategy: input.executionStrategy ?? 'JIT',
    file_hashes: [...input.programs, ...(input.extraHashes ?? [])].map((file) => ({
      file_path: enforceLeadingSlash(file.path),
      hash: file.hash,
    })),
    identities: input.participants.map((participant, id) => ({
      certificate: normalizeIdentityPem(participant.certificatePem),
      file_rights: rightsList(participant.capabilities),
      id,
    })),
    max_memory_mib: input.maxMemoryMib ?? DEFAULT_MAX_MEMORY_MIB,
    native_modules: (input.nativeModules ?? []).map(nativeModule),
    pipelines: pipelines.map((entry, id) => ({
      file_rights: rightsList(entry.capabilities),
      id,
      name: String(id),
      pipeline: entry.pipeline,
    })),
    programs: input.programs.map((program, id) => ({
      file_rights: rightsList(program.capabilities),
      id,
      program_file_name: enforceLeadingSlash(program.path),
    })),
    proxy_attestation_server_url: input.proxyAttestationServerUrl,
    proxy_service_cert: input.proxyServiceCertPem,
    runtime_manager_hash_linux: input.runtimeManagerHashLinux ?? null,
    runtime_manager_hash_nitro: input.runtimeManagerHashNitro ?? null,
    runtime_manager_hash_sevsnp: input.runtimeManagerHashSevsnp ?? null,
    veracruz_server_url: input.veracruzServerUrl,
  };
  const extensions = input.extensions ? extensionsToJson(input.extensions) : undefined;
  if (extensions) json['veracruz_ts'] = extensions;
  return json;
}

/** The policy file text: sorted keys, two-space indent, no trailing newline. */
export function generatePolicyText(input: GeneratePolicyInput): string {
  return serializePolicyJson(generatePolicyJson(input));
}

/** A date as the policy writes it (UTC fields, minutes precision). */
function timepointOf(date: Date): Timepoint {
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
  };
}

/** The server address written into both URL fields unless a spec names one (informational for us). */
const DEFAULT_SERVER_ADDRESS = '127.0.0.1:4222';

/**
 * A policy as a program describes it: identities instead of PEM files, program bytes instead of
 * hashes, a date instead of a time point.
 */
export interface PolicySpec {
  /** Participants in order (ids 0, 1, ...) with capability entries `PATH:RIGHTS`. */
  readonly participants: readonly {
    readonly identity: { readonly certificatePem: string };
    readonly capabilities: readonly string[];
  }[];
  /** Programs in order (ids 0, 1, ...); the policy pins the SHA-256 of `bytes`. */
  readonly programs: readonly {
    readonly path: string;
    readonly bytes: Uint8Array;
    readonly capabilities: readonly string[];
  }[];
  readonly pipelines?: GeneratePolicyInput['pipelines'];
  readonly nativeModules?: GeneratePolicyInput['nativeModules'];
  /** The verifier CA certificate (PEM): the policy's proxy_service_cert. */
  readonly proxyServiceCertPem: string;
  /** Accepted runtime measurements on the sim platform (`veracruz_ts.runtime_hashes.sim`). */
  readonly simMeasurements?: readonly string[];
  /** Veracruz's Linux runtime hash field. */
  readonly runtimeManagerHashLinux?: string;
  /** The enclave certificate expiry (enclave_cert_expiry). */
  readonly expiry: Date;
  /** HOST:PORT for veracruz_server_url and proxy_attestation_server_url (default 127.0.0.1:4222). */
  readonly serverAddress?: string;
  readonly maxMemoryMib?: number;
  /** Further extensions; `simMeasurements` is written into their runtime hashes. */
  readonly extensions?: PolicyExtensions;
}

function specToInput(spec: PolicySpec): GeneratePolicyInput {
  const address = spec.serverAddress ?? DEFAULT_SERVER_ADDRESS;
  const extensions: PolicyExtensions = {
    ...spec.extensions,
    ...(spec.simMeasurements ? { runtimeHashes: { sim: [...spec.simMeasurements] } } : {}),
  };
  return {
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
    ...(spec.nativeModules ? { nativeModules: spec.nativeModules } : {}),
    veracruzServerUrl: address,
    proxyAttestationServerUrl: address,
    proxyServiceCertPem: spec.proxyServiceCertPem,
    ...(spec.runtimeManagerHashLinux
      ? { runtimeManagerHashLinux: spec.runtimeManagerHashLinux }
      : {}),
    enclaveCertExpiry: timepointOf(spec.expiry),
    ...(spec.maxMemoryMib === undefined ? {} : { maxMemoryMib: spec.maxMemoryMib }),
    ...(Object.keys(extensions).length > 0 ? { extensions } : {}),
  };
}

/** The policy for a spec as a JSON value (tests make broken variants of it). */
export function policyJsonFromSpec(spec: PolicySpec): JsonObject {
  return generatePolicyJson(specToInput(spec));
}

/** The policy file text for a spec (what `vc policy generate` would write for the same inputs). */
export function policyTextFromSpec(spec: PolicySpec): string {
  return generatePolicyText(specToInput(spec));
}

/** The policy for a spec, parsed and checked as an enclave would load it at `now`. */
export function policyFromSpec(spec: PolicySpec, now: Date): LoadedPolicy {
  return parsePolicy(new TextEncoder().encode(policyTextFromSpec(spec)), { now });
}
