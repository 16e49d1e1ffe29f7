// Parsing and validating a Veracruz policy (current format) from its exact bytes. The hash is
// SHA-256 of those bytes, never of a re-serialisation (Veracruz semantics).
// Every role parses the policy it is handed (launcher, host, enclave, participants): a process
// parses one exact byte string once, and later calls with the same bytes (same SHA-256) reuse that
// validated, frozen result. What depends on the time is checked again on every call: each
// certificate's validity and the enclave expiry at the call's `now` (a hit that fails one of them
// parses afresh, so the refusal is exactly the uncached one).
import { readFile } from 'node:fs/promises';
import { sha256Hex } from '../hash.js';
import { parseCertificatePem } from '../identity/certificates.js';
import { PolicyError, childPath } from './errors.js';
import { readExpiry } from './expiry.js';
import { EXTENSIONS_FIELD, readExtensions } from './extensions.js';
import {
  readBoolean,
  readInteger,
  readObject,
  readOptionalString,
  readString,
  wrongType,
} from './fields.js';
import { readIdentities, readProxyServiceCert } from './identities.js';
import { checkLegacyFormat } from './legacy.js';
import { POLICY_FIELDS } from './policy-fields.js';
import {
  SHA256_HEX,
  readFileHashes,
  readNativeModules,
  readPipelines,
  readPrograms,
} from './sections.js';
import { isJsonObject, parseStrictJson, type JsonObject } from './strict-json.js';
import type { LoadedPolicy, Platform, Policy, PolicyExtensions } from './types.js';
import { policyWarnings } from './warnings.js';

/** Policies larger than this are refused before parsing (Veracruz policies are a few KiB). */
export const MAX_POLICY_BYTES = 1024 * 1024;

const CIPHERSUITES: readonly string[] = [
  'TLS1_3_CHACHA20_POLY1305_SHA256',
  'TLS1_3_AES_128_GCM_SHA256',
  'TLS1_3_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
];

export interface ParsePolicyOptions {
  /** The time at which certificates must be valid and the enclave expiry still ahead (default now). */
  readonly now?: Date;
  /** Size limit in bytes (default MAX_POLICY_BYTES). */
  readonly maxBytes?: number;
}

/** Lowercase hex SHA-256 of the exact policy bytes. */
export function policyHash(bytes: Uint8Array): string {
  return sha256Hex(bytes);
}

function decode(bytes: Uint8Array, maxBytes: number): JsonObject {
  if (bytes.length > maxBytes) {
    throw new PolicyError(
      'ERR_POLICY_TOO_LARGE',
      '$',
      `${bytes.length} bytes; at most ${maxBytes}`,
      {
        details: { size: bytes.length, max: maxBytes },
      },
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (cause) {
    throw new PolicyError('ERR_POLICY_NOT_UTF8', '$', 'the file is not UTF-8 text', { cause });
  }
  const document = parseStrictJson(text);
  if (!isJsonObject(document)) throw wrongType('$', 'an object', document);
  return document;
}

function readUrl(policy: JsonObject, key: string): string {
  const url = readString(policy, key, '$', 255);
  const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):([0-9]{1,5})$/.exec(
    url,
  );
  if (!match || Number(match[3]) < 1 || Number(match[3]) > 65535) {
    throw new PolicyError(
      'ERR_POLICY_BAD_URL',
      childPath('$', key),
      `expected HOST:PORT, found ${JSON.stringify(url)}`,
    );
  }
  return url;
}

function readRuntimeHashes(
  policy: JsonObject,
  extensions: PolicyExtensions,
): Record<Platform, string | null> {
  const hashes = {} as Record<Platform, string | null>;
  for (const platform of ['linux', 'nitro', 'sevsnp'] as const) {
    const key = `runtime_manager_hash_${platform}`;
    const hash = readOptionalString(policy, key, '$');
    if (hash !== null && !SHA256_HEX.test(hash)) {
      throw new PolicyError(
        'ERR_POLICY_BAD_HASH',
        childPath('$', key),
        'expected null or 64 lowercase hex digits',
      );
    }
    hashes[platform] = hash;
  }
  const extensionCount = Object.values(extensions.runtimeHashes ?? {}).flat().length;
  if (Object.values(hashes).every((hash) => hash === null) && extensionCount === 0) {
    throw new PolicyError(
      'ERR_POLICY_NO_RUNTIME_HASH',
      '$',
      'no runtime hash: no enclave could ever be accepted',
      {
        details: {
          fields: [
            'runtime_manager_hash_linux',
            'runtime_manager_hash_nitro',
            'runtime_manager_hash_sevsnp',
            `${EXTENSIONS_FIELD}.runtime_hashes`,
          ],
        },
      },
    );
  }
  return hashes;
}

function readExecutionStrategy(policy: JsonObject): Policy['executionStrategy'] {
  const strategy = readString(policy, 'execution_strategy', '$');
  if (strategy !== 'Interpretation' && strategy !== 'JIT') {
    throw new PolicyError(
      'ERR_POLICY_UNKNOWN_EXECUTION_STRATEGY',
      '$.execution_strategy',
      `"${strategy}" is neither "Interpretation" nor "JIT"`,
    );
  }
  return strategy;
}

function readCiphersuite(policy: JsonObject): string {
  const suite = readString(policy, 'ciphersuite', '$');
  if (!CIPHERSUITES.includes(suite)) {
    throw new PolicyError(
      'ERR_POLICY_UNKNOWN_CIPHERSUITE',
      '$.ciphersuite',
      `unknown ciphersuite "${suite}"`,
      {
        details: { known: CIPHERSUITES },
      },
    );
  }
  return suite;
}

function readMaxMemory(policy: JsonObject): number {
  const value = readInteger(policy, 'max_memory_mib', '$', 0, 0xffffffff);
  if (value < 1 || value > 4096) {
    throw new PolicyError(
      'ERR_POLICY_BAD_MEMORY_LIMIT',
      '$.max_memory_mib',
      `${value} MiB: a wasm32 memory holds 1 to 4096 MiB`,
    );
  }
  return value;
}

function readPolicy(document: JsonObject, now: Date): Policy {
  checkLegacyFormat(document);
  const identities = readIdentities(document, now);
  const programs = readPrograms(document);
  const extensions = readExtensions(
    document,
    identities.map((identity) => identity.id),
  );
  const enclaveCertExpiry = readExpiry(
    readObject(document, 'enclave_cert_expiry', '$'),
    '$.enclave_cert_expiry',
  );
  if (enclaveCertExpiry.getTime() <= now.getTime()) {
    throw new PolicyError(
      'ERR_POLICY_EXPIRY_PASSED',
      '$.enclave_cert_expiry',
      `${enclaveCertExpiry.toISOString()} is not after ${now.toISOString()}`,
    );
  }
  const nativeModules = readNativeModules(document);
  return {
    identities,
    programs,
    pipelines: readPipelines(document, programs, nativeModules),
    fileHashes: readFileHashes(document),
    nativeModules,
    enclaveCertExpiry,
    ciphersuite: readCiphersuite(document),
    runtimeManagerHashes: readRuntimeHashes(document, extensions),
    proxyServiceCert: readProxyServiceCert(document, now),
    proxyAttestationServerUrl: readUrl(document, 'proxy_attestation_server_url'),
    veracruzServerUrl: readUrl(document, 'veracruz_server_url'),
    debug: readBoolean(document, 'debug', '$'),
    executionStrategy: readExecutionStrategy(document),
    enableClock: readBoolean(document, 'enable_clock', '$'),
    maxMemoryMib: readMaxMemory(document),
    extensions,
  };
}

/** A validated policy and the times within which it stays valid (ms since the epoch). */
interface ParsedPolicy {
  readonly policy: Policy;
  readonly bytes: Uint8Array;
  readonly warnings: readonly string[];
  /** Validity windows of every certificate in the policy (identities, proxy_service_cert). */
  readonly windows: readonly { readonly notBefore: number; readonly notAfter: number }[];
  readonly expiry: number;
}

/** Validated policies by the SHA-256 of their exact bytes, oldest first (bounded). */
const parsedPolicies = new Map<string, ParsedPolicy>();
const MAX_PARSED_POLICIES = 256;

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

function validAt(parsed: ParsedPolicy, now: Date): boolean {
  const time = now.getTime();
  return (
    parsed.expiry > time &&
    parsed.windows.every((window) => window.notBefore <= time && time <= window.notAfter)
  );
}

function parseAfresh(bytes: Uint8Array, maxBytes: number, now: Date): ParsedPolicy {
  const copy = Uint8Array.from(bytes);
  const document = decode(copy, maxBytes);
  const policy = deepFreeze(readPolicy(document, now));
  const unknownFields = Object.keys(document).filter(
    (key) => !POLICY_FIELDS.includes(key) && key !== EXTENSIONS_FIELD,
  );
  const windows = [...policy.identities.map((i) => i.certificate), policy.proxyServiceCert].map(
    (pem) => {
      // Parsed (and cached) by readPolicy a moment ago.
      const certificate = parseCertificatePem(pem);
      return {
        notBefore: certificate.notBefore.getTime(),
        notAfter: certificate.notAfter.getTime(),
      };
    },
  );
  return {
    policy,
    bytes: copy,
    warnings: Object.freeze(policyWarnings(policy, unknownFields)),
    windows,
    expiry: policy.enclaveCertExpiry.getTime(),
  };
}

/**
 * Parses and validates policy bytes; throws a PolicyError naming the first defect's JSON path. The
 * result's `policy` is frozen and may be shared with other callers given the same bytes; its
 * `bytes` are the caller's own copy.
 */
export function parsePolicy(bytes: Uint8Array, options: ParsePolicyOptions = {}): LoadedPolicy {
  const maxBytes = options.maxBytes ?? MAX_POLICY_BYTES;
  const now = options.now ?? new Date();
  const hash = policyHash(bytes);
  let parsed = bytes.length <= maxBytes ? parsedPolicies.get(hash) : undefined;
  if (parsed === undefined || !validAt(parsed, now)) {
    parsed = parseAfresh(bytes, maxBytes, now);
    parsedPolicies.delete(hash);
    if (parsedPolicies.size >= MAX_PARSED_POLICIES)
      parsedPolicies.delete(parsedPolicies.keys().next().value as string);
    parsedPolicies.set(hash, parsed);
  }
  return {
    policy: parsed.policy,
    bytes: Uint8Array.from(parsed.bytes),
    hash,
    warnings: parsed.warnings,
  };
}

/** Reads a policy file and parses it (ERR_POLICY_FILE when it cannot be read). */
export async function loadPolicyFile(
  path: string,
  options: ParsePolicyOptions = {},
): Promise<LoadedPolicy> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new PolicyError('ERR_POLICY_FILE', '$', `cannot read ${path}`, {
      cause,
      details: { file: path, code: (cause as NodeJS.ErrnoException).code },
    });
  }
  return parsePolicy(bytes, options);
}
