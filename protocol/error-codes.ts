// The one catalog of error codes. Every `ERR_*` code that anything raises is listed here once, in
// one family, with its meaning; `ErrorCode` is derived from it, so a code that is not here (or a
// typo) does not compile. docs/errors.md shows the same table with who raises each code, and a test
// keeps the two in step. Codes never change meaning once released: add a new one instead.

export const errorCatalog = {
  /** Not tied to one area: bad arguments, bugs, and codes a peer sent that we do not know. */
  general: {
    ERR_USAGE: 'bad arguments: an unknown option, a missing or malformed value, a missing operand',
    ERR_INTERNAL:
      'an unexpected failure that is not a refusal (a bug); VC_DEBUG=1 prints the stack',
    ERR_REMOTE: 'a peer reported a code this version does not know (kept in `details.remoteCode`)',
  },
  /**
   * A computation's lifecycle (docs/operations.md): the registry that owns it, operator actions,
   * and the fail-fast answers when the enclave, its host or the verifier is not (or no longer) there.
   */
  lifecycle: {
    ERR_ALREADY_RUNNING:
      'a computation for this policy is already running (the host and worker holding it in details)',
    ERR_COMPUTATION_UNKNOWN: 'no computation with this id in the registry',
    ERR_COMPUTATION_STOPPED: 'an operator stopped the computation (`vc computations stop`)',
    ERR_NO_ENCLAVE: "no enclave is running for the policy's computation",
    ERR_NO_HOSTS: 'no host serves launch requests on this bus',
    ERR_ENCLAVE_LOST:
      'the enclave worker went away mid-computation (killed, crashed, or its host lost)',
    ERR_HOST_LOST: 'the host holding the computation missed its heartbeats',
    ERR_VERIFIER_UNAVAILABLE: 'no verifier answered while the enclave attested',
    ERR_LAUNCHER_GONE:
      'the launcher went away before the enclave was ready; the launch was abandoned',
    ERR_IDLE_TIMEOUT: 'the computation was idle past its deadline and was ended',
    ERR_INTERRUPTED: 'the command or service was interrupted (SIGINT or SIGTERM) and cleaned up',
    ERR_OUTPUT_EXISTS: 'an output file exists where the command must not overwrite it',
    ERR_OUTPUT_UNWRITABLE: 'an output path that cannot be written (no such folder, no permission)',
    ERR_LAUNCH_NOT_AUTHORIZED:
      'a launch request not signed by a participant of the policy or an operator key the host trusts',
    ERR_HOST_BUSY: 'the host runs as many enclaves as it may (`vc host --max-enclaves`)',
    ERR_PORT_IN_USE: 'the TCP port a command is asked to listen on is taken (`vc inspect --port`)',
  },
  /** A policy file that fails to load or validate (`PolicyError`, with the JSON path). */
  policy: {
    ERR_POLICY_FILE: 'the policy file cannot be read',
    ERR_POLICY_TOO_LARGE: 'the policy is larger than 1 MiB',
    ERR_POLICY_NOT_UTF8: 'the policy bytes are not UTF-8',
    ERR_POLICY_BAD_JSON: 'the policy is not JSON (line and column in details)',
    ERR_POLICY_DUPLICATE_KEY: 'a key appears twice in one JSON object',
    ERR_POLICY_TOO_DEEP: 'JSON nesting deeper than 32',
    ERR_POLICY_LEGACY_FORMAT: 'a field of an older Veracruz policy format',
    ERR_POLICY_MISSING_FIELD: 'a required field is absent',
    ERR_POLICY_WRONG_TYPE: 'a field has the wrong JSON type',
    ERR_POLICY_OUT_OF_RANGE: 'a number outside its range (ids are u32)',
    ERR_POLICY_STRING_TOO_LONG: 'a string longer than its bound',
    ERR_POLICY_TOO_MANY_ENTRIES: 'a list longer than its bound',
    ERR_POLICY_NO_IDENTITIES: '`identities` is empty',
    ERR_POLICY_DUPLICATE_IDENTITY: 'two identities share an id',
    ERR_POLICY_DUPLICATE_CERTIFICATE: 'two identities share a certificate',
    ERR_POLICY_BAD_CERTIFICATE: 'a certificate that is not one well-formed PEM X.509 certificate',
    ERR_POLICY_CERTIFICATE_EXPIRED: 'a certificate expired at the check time',
    ERR_POLICY_CERTIFICATE_NOT_YET_VALID: 'a certificate not yet valid at the check time',
    ERR_POLICY_UNSUPPORTED_KEY: 'an identity key that is neither P-256 nor Ed25519',
    ERR_POLICY_PROXY_CERT_NOT_CA: '`proxy_service_cert` is not a CA certificate',
    ERR_POLICY_BAD_RIGHTS: 'rights that are not a WASI rights bit set',
    ERR_POLICY_BAD_RIGHTS_PATH:
      'a rights path that is not absolute or has `//`, `.`, `..` or control characters',
    ERR_POLICY_DUPLICATE_RIGHTS_PATH: 'the same path twice in one rights table',
    ERR_POLICY_BAD_PROGRAM_PATH: 'a program path that is not a plain absolute file path',
    ERR_POLICY_BAD_FILE_PATH: 'a `file_hashes` path that is not a plain absolute file path',
    ERR_POLICY_DUPLICATE_PROGRAM: 'two programs share a path or an id',
    ERR_POLICY_DUPLICATE_PIPELINE: 'two pipelines share a name or an id',
    ERR_POLICY_BAD_PIPELINE: 'a pipeline text that does not parse',
    ERR_POLICY_PIPELINE_UNKNOWN_PROGRAM: 'a pipeline runs a program that is not in `programs`',
    ERR_POLICY_BAD_HASH: 'a hash that is not lowercase hex of the right length',
    ERR_POLICY_DUPLICATE_FILE_HASH: 'two hashes for one file',
    ERR_POLICY_NO_RUNTIME_HASH: 'no runtime hash for any platform',
    ERR_POLICY_BAD_EXPIRY: '`enclave_cert_expiry` is not a real date',
    ERR_POLICY_EXPIRY_PASSED: '`enclave_cert_expiry` is not after the check time',
    ERR_POLICY_UNKNOWN_EXECUTION_STRATEGY:
      'an execution strategy other than `Interpretation` or `JIT`',
    ERR_POLICY_UNKNOWN_CIPHERSUITE: 'an unknown ciphersuite name',
    ERR_POLICY_BAD_URL: 'a server address that is not `HOST:PORT`',
    ERR_POLICY_BAD_MEMORY_LIMIT: '`max_memory_mib` outside 1..4096',
    ERR_POLICY_BAD_NATIVE_MODULE: 'a native module of none of the three types',
    ERR_POLICY_BAD_EXTENSION: 'something wrong inside `veracruz_ts`',
  },
  /** Keys and X.509 certificates of participants and CAs (`IdentityError`). */
  identity: {
    ERR_IDENTITY_BAD_PEM: 'not exactly one PEM block of the expected type',
    ERR_IDENTITY_BAD_CERTIFICATE: 'a PEM block that is not a DER X.509 certificate',
    ERR_IDENTITY_BAD_KEY: 'not a PEM private key (PKCS#8 or SEC1)',
    ERR_IDENTITY_UNSUPPORTED_KEY: 'a key that is neither P-256 nor Ed25519',
    ERR_IDENTITY_KEY_MISMATCH: 'the private key does not belong to the certificate',
    ERR_IDENTITY_CERTIFICATE_EXPIRED: 'the certificate expired at the check time',
    ERR_IDENTITY_CERTIFICATE_NOT_YET_VALID: 'the certificate is not yet valid at the check time',
    ERR_IDENTITY_BAD_NAME: 'a common name outside 1 to 64 characters',
    ERR_IDENTITY_BAD_VALIDITY: 'a validity period that is empty or starts at an invalid time',
    ERR_IDENTITY_FILE: 'a key or certificate file cannot be read or written',
  },
  /** Envelopes, signatures, the bus and the journal (`TransportError`). */
  transport: {
    ERR_ENVELOPE_TOO_LARGE: 'input, or a length or count declared inside it, beyond the size limit',
    ERR_ENVELOPE_TOO_DEEP: 'msgpack nesting deeper than the limit',
    ERR_ENVELOPE_EXTENSION_TYPE:
      'a msgpack extension type (timestamps, records, ...): never accepted',
    ERR_ENVELOPE_TRUNCATED: 'the bytes end before the value they declare',
    ERR_ENVELOPE_MALFORMED: "not well-formed msgpack, trailing bytes, or not the envelope's shape",
    ERR_SIGNATURE_INVALID: "the signature does not verify with the sender's key",
    ERR_UNKNOWN_SENDER: "no verification key is known for the envelope's sender",
    ERR_MAC_INVALID: "a session-channel envelope's MAC does not verify under the channel's key",
    ERR_CHANNEL_UNKNOWN:
      'a session-channel envelope names a channel the receiver has not open (closed, of another session or run)',
    ERR_SESSION_RECEIPT_MISMATCH:
      "an enclave's signed session receipt does not match the channel's messages (transcript hash or counts)",
    ERR_UNKNOWN_KIND: 'no schema is registered for the message kind',
    ERR_REPLAY: 'a sequence number already used by that sender, with a different message',
    ERR_KEY_UNSUPPORTED:
      'a key of an algorithm outside the allow-list, or a malformed serialised key',
    ERR_TIMEOUT: 'a request got no reply in time, after all retries',
    ERR_TRANSPORT_DISCONNECTED: 'the connection to the NATS server is down (a retry may succeed)',
    ERR_TRANSPORT_CLOSED: 'the transport has been closed',
    ERR_NO_RESPONDERS: "nobody is subscribed to a request's subject",
    ERR_PAYLOAD_TOO_LARGE: "a message larger than the NATS server's `max_payload`: never sent",
    ERR_NATS_UNREACHABLE:
      'no NATS server answers at the URL (connection refused, host unreachable, unknown name)',
    ERR_NOT_NATS: 'the server at the URL does not speak the NATS protocol',
    ERR_NO_JETSTREAM: 'the NATS server has no JetStream, which this command needs',
    ERR_NATS_AUTH:
      'the NATS server refused the credentials (user/password, token, NKey, credentials file) or wants some',
    ERR_NATS_TLS:
      'no TLS session with the NATS server (certificate not trusted, TLS required or not offered, bad client certificate)',
    ERR_NATS_PERMISSION:
      'the NATS server refused a publish or subscribe on a subject this user has no permission for',
    ERR_NATS_SETTINGS:
      'NATS connection settings that cannot be used (an unreadable credentials, key or TLS file, an unknown context)',
    ERR_NATS_REPLICAS:
      'more journal or bucket replicas asked for (`--replicas`) than the JetStream cluster has servers',
    ERR_STORE_UNAVAILABLE:
      'reading or writing a state store failed (its file, or its NATS JetStream KV bucket)',
    ERR_STORE_CONFLICT:
      'a compare-and-set on a state store lost a race (the key exists or changed)',
    ERR_JOURNAL_CORRUPT: "a journal's hash chain or framing is broken: tampering or corruption",
  },
  /** Refusals of the provisioning protocol, sent in `protocol.error` replies (`ProtocolError`). */
  protocol: {
    ERR_ACCESS_DENIED: 'the policy gives the principal no right for this operation on this path',
    ERR_UNKNOWN_PARTICIPANT: 'the sender is not an identity of the policy',
    ERR_WRONG_PHASE:
      'a message in a phase where it is not allowed (e.g. provisioning before ready)',
    ERR_BAD_MESSAGE: 'a message body that does not match the schema of its kind',
    ERR_FILE_HASH_MISMATCH: "a provisioned file's SHA-256 differs from its `file_hashes` entry",
    ERR_PROGRAM_NOT_FOUND: 'a program to run that is not provisioned or not in the policy',
    ERR_PIPELINE_NOT_FOUND: 'a pipeline name that the policy does not define',
    ERR_PROGRAM_FAILED: 'the program ran and failed (its exit code in details)',
    ERR_NO_RESULT: 'a result read before any execution produced that file',
    ERR_SEAL_OPEN_FAILED: 'a sealed upload chunk or result does not open in its exact context',
    ERR_ENCLAVE_KEY_MISMATCH:
      'the enclave signs with another key than the one its certificate certifies',
    ERR_LAUNCH_FAILED: 'the host could not start an enclave worker',
    ERR_SHUT_DOWN: 'the computation has been shut down',
    ERR_WRONG_COMPUTATION: "a request signed for another computation than the receiver's",
    ERR_WRONG_SESSION: "a request for another session than the enclave's current one (a replay)",
    ERR_UPLOAD_LIMIT:
      'more uploads open, or bytes declared, than one sender may have in the enclave',
    ERR_BULK_MISMATCH: 'the bytes on a bulk subject are not the chunk the signed message names',
    ERR_BULK_MISSING: 'the bulk bytes a signed message names never arrived',
  },
  /** Appraisal of evidence at the verifier and the participants' check of the enclave (`AttestationError`). */
  attestation: {
    ERR_EVIDENCE_MALFORMED:
      'evidence bytes that are not the expected CBOR/COSE shape, or over 64 KiB',
    ERR_EVIDENCE_ALGORITHM: "a COSE algorithm that is not on the platform's allow-list",
    ERR_EVIDENCE_SIGNATURE: 'the evidence signature does not verify with the endorsed key',
    ERR_ENDORSEMENT_UNKNOWN: 'no endorsed platform key or root is known for this evidence',
    ERR_EVIDENCE_CHAIN: 'the platform certificate chain does not lead to the pinned root',
    ERR_EVIDENCE_KEY_BINDING:
      'a token signed by a key the platform token does not bind (CCA: the platform challenge is not the hash of the realm attestation key)',
    ERR_EVIDENCE_CERT_EXPIRED: 'a platform certificate is not valid at the verification time',
    ERR_EVIDENCE_TCB_MISMATCH:
      "the report's TCB or chip id is not the one its signing certificate (SEV-SNP VCEK/VLEK) certifies",
    ERR_EVIDENCE_REVOKED: "a platform certificate is on its issuer's CRL",
    ERR_EVIDENCE_COLLATERAL:
      'collateral (CRL, TCB info, QE identity) malformed, for another platform, or its signature fails',
    ERR_EVIDENCE_COLLATERAL_EXPIRED:
      'a CRL, TCB info or QE identity is not valid at the verification time (issue..next update)',
    ERR_EVIDENCE_QE_IDENTITY:
      'the quoting enclave does not match its identity, or is below its TCB levels',
    ERR_EVIDENCE_TCB:
      'the platform matches no TCB level, its status is Revoked, or its status is not accepted',
    ERR_ATTESTATION_NONCE_MISMATCH: "the nonce in the evidence is not the challenge's",
    ERR_ATTESTATION_CHALLENGE_EXPIRED: 'the challenge expired before the evidence arrived',
    ERR_ATTESTATION_NONCE_REUSED: 'the challenge was already answered, or its session ended',
    ERR_ATTESTATION_SESSION_UNKNOWN: 'no challenge with this session id',
    ERR_ATTESTATION_CSR_MISMATCH:
      'the evidence does not bind the CSR, or the CSR is not for the requesting key',
    ERR_ATTESTATION_POLICY_BINDING: 'the evidence does not bind the policy hash that came with it',
    ERR_ATTESTATION_CSR_INVALID: 'the CSR is malformed or its self-signature fails',
    ERR_ATTESTATION_DEBUG: 'debug evidence (e.g. Nitro all-zero PCRs) where debug is not allowed',
    ERR_ATTESTATION_SIMULATED: 'simulated (`sim`) evidence where simulation is not allowed',
    ERR_ATTESTATION_PLATFORM: 'an unknown or disabled platform, or not the platform expected',
    ERR_ATTESTATION_FAILED:
      'the enclave was not attested: the verifier refused it or it stopped first',
    ERR_MEASUREMENT_NOT_ALLOWED:
      'a measurement that is not among the reference values or runtime hashes',
    ERR_POLICY_EXPIRED: "the policy's `enclave_cert_expiry` has passed",
    ERR_POLICY_UNKNOWN: 'the verifier does not know the policy (no expiry given and no resolver)',
    ERR_POLICY_HASH_MISMATCH: "the enclave's policy hash is not the participant's own",
    ERR_ATTESTATION_CHAIN: 'the enclave certificate chain does not lead to `proxy_service_cert`',
    ERR_ENCLAVE_CERT_EXPIRED: 'the enclave certificate is not valid now',
    ERR_ENCLAVE_CERT_OUTLIVES_POLICY:
      'the enclave certificate is valid after `enclave_cert_expiry`',
    ERR_ENCLAVE_CERT_INVALID:
      'the enclave certificate is a CA, has other key usages, or lacks our extension',
  },
  /** Evidence production by the enclave and its launcher (`EvidenceError`). */
  evidence: {
    ERR_SIM_KEY_MISSING: 'no sim platform attestation key was given to the host',
    ERR_SIM_KEY_INVALID: 'the sim platform attestation key is not an EC P-256 PKCS#8 PEM key',
    ERR_RUNTIME_BUNDLE:
      'the enclave runtime bundle cannot be built or read, or runs on another Node major than it states',
  },
  /** The WebAssembly sandbox: file system, limits, module checks (enclave/errors.ts). */
  sandbox: {
    ERR_FILE_NOT_FOUND:
      'no such file in the virtual file system, or host file a `vc` command was given',
    ERR_BAD_PATH: 'a malformed path, `..` above the root, or a directory where a file is wanted',
    ERR_QUOTA_EXCEEDED: 'the byte quota of the virtual file system would be exceeded',
    ERR_OUTPUT_SYMLINK:
      'copy-back found a symbolic link in the host folder: never followed nor replaced',
    ERR_OUTPUT_NAME:
      'an output path the host cannot hold (a name too long, a file where a folder is)',
    ERR_EXECUTION_TIMEOUT: 'the program ran past its wall-clock budget and was stopped',
    ERR_GUEST_TRAP: 'the guest trapped (unreachable, out-of-bounds access, stack overflow, ...)',
    ERR_FORBIDDEN_IMPORT:
      'the module imports something outside `wasi_snapshot_preview1` and `veracruz_si`',
    ERR_INVALID_MODULE: 'not a valid WebAssembly module, or not one that runs as a WASI command',
    ERR_MEMORY_LIMIT: 'the module needs more memory than `max_memory_mib` before it starts',
    ERR_RESOURCE_LIMIT:
      "the execution's budget of tables, output, open files, directory depth or name length is exceeded",
    ERR_SANDBOX: "the worker running the guest failed or exited early (not the guest's doing)",
  },
  /** Native modules (enclave/native/): static services and the native sandbox. */
  native: {
    ERR_NATIVE_SANDBOX_UNAVAILABLE:
      'the policy has dynamic or provisioned native modules and this platform has no native sandbox (bubblewrap)',
    ERR_NATIVE_MODULE_UNKNOWN:
      'a static native module the runtime does not provide, or a bad native module set-up',
    ERR_NATIVE_MODULE_REQUEST: "a native module's request (its special file's bytes) is malformed",
    ERR_NATIVE_MODULE_TIMEOUT: 'a native module ran past its time limit and was killed',
    ERR_NATIVE_MODULE_MEMORY_LIMIT: 'a native module failed at its memory limit',
    ERR_NATIVE_MODULE_FILE_SIZE: 'a native module wrote a file past its size limit and was stopped',
    ERR_NATIVE_MODULE_FAILED: 'a native module could not be started, or was killed by a signal',
  },
  /** WebAssembly components (enclave/component/errors.ts). */
  component: {
    ERR_COMPONENT_IMPORT: 'the component imports interfaces our WASI 0.2 host does not provide',
    ERR_COMPONENT_TRANSPILE: 'jco cannot transpile the component',
    ERR_COMPONENT_NOT_COMMAND: 'the component exports no `wasi:cli/run`',
  },
  /** `vc replay`: re-driving recorded machines. */
  replay: {
    ERR_REPLAY_DIVERGENCE: 'a replayed machine behaves differently from its recording',
    ERR_NOTHING_TO_REPLAY:
      'the journal holds nothing to replay: no computation, or not the computation or run asked for',
    ERR_REPLAY_DIFFERS: 'two journals differ: an actor took another step in one than in the other',
  },
  /** The scenario runner (`ScenarioError`). */
  scenario: {
    ERR_SCENARIO_UNKNOWN: 'no scenario of that name',
    ERR_SCENARIO_PROCESS: 'a process of a `--processes` run is missing or failed without a refusal',
    ERR_SCENARIO_FILE_INVALID:
      'a scenario file is unreadable, not YAML or JSON, breaks docs/scenario.schema.json, or names a party, source, file or module that is not there',
    ERR_PARTICIPANT_FAILED: 'a participant ended badly without giving a code',
  },
} as const satisfies Record<string, Record<`ERR_${string}`, string>>;

type Catalog = typeof errorCatalog;
export type ErrorFamily = keyof Catalog;
/** The codes of one family: what an area's subclass (e.g. `PolicyError`) accepts. */
export type ErrorCodeOf<F extends ErrorFamily> = keyof Catalog[F] & string;
/** Every code there is: a closed union, so a typo does not compile. */
export type ErrorCode = { [F in ErrorFamily]: ErrorCodeOf<F> }[ErrorFamily];

interface Entry {
  readonly family: ErrorFamily;
  readonly meaning: string;
}

const entries = new Map<string, Entry>(
  (Object.entries(errorCatalog) as [ErrorFamily, Record<string, string>][]).flatMap(
    ([family, codes]) =>
      Object.entries(codes).map(([code, meaning]) => [code, { family, meaning }] as const),
  ),
);

/** Every code, family by family in catalog order. */
export const errorCodes: readonly ErrorCode[] = [...entries.keys()] as ErrorCode[];

/** True for a code in the catalog: how a code from the wire or another process is checked. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && entries.has(value);
}

export function familyOf(code: ErrorCode): ErrorFamily {
  return (entries.get(code) as Entry).family;
}

export function meaningOf(code: ErrorCode): string {
  return (entries.get(code) as Entry).meaning;
}
