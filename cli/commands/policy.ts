// `vc policy check|hash|generate`: validate a Veracruz policy and show who may do what, print its
// hash (SHA-256 of the exact bytes), or generate one as Veracruz's vc-pgen does.
import { readFile, writeFile } from 'node:fs/promises';
import {
  UsageError,
  sha256Hex,
  commonNameOf,
  parseCertificatePem,
  acceptedRuntimeHashes,
  describePrincipals,
  formatPrincipalTable,
  generatePolicyText,
  loadPolicyFile,
  nitroHashFromPcrFile,
  parsePolicy,
  parseTimepoint,
  policyHash,
  PolicyError,
  type GeneratePolicyInput,
  type LoadedPolicy,
  type PolicyExtensions,
} from '../../protocol/index.js';
import { parseOptions, readHostFile, readHostText, type CliIo, type Command } from '../command.js';
import { measureRuntime } from '../../enclave/index.js';
import { checkOutputFile, outputError, renamablePaths } from '../support.js';

const usage = `Usage:
  vc policy check FILE [--at ISO8601] [--json]
  vc policy hash FILE [--json]
  vc policy generate [vc-pgen options] [-o FILE]

check     validates FILE (every field, certificates valid at --at, default now, enclave expiry
          still ahead) and prints its hash and a table of who may do what. Exit 1 on refusal,
          with the error code and the JSON path of the offending field.
hash      prints the policy hash: lowercase hex SHA-256 of the exact file bytes.
generate  writes a policy like Veracruz's vc-pgen (sorted keys, 2-space indent, no trailing
          newline) to -o FILE, or to standard output. Options (repeatable ones marked *):
  -c, --certificate FILE*            a participant's certificate (ids 0, 1, ... in order)
  -p, --capability LIST*             PATH:RIGHTS[,PATH:RIGHTS...] per certificate, then per program,
                                     then per pipeline; RIGHTS = r, w, x, combinations, or a number
  -w, --program-binary [NAME=]FILE*  a program (its SHA-256 goes into file_hashes); comma lists allowed
      --hashes [NAME=]FILE*          another file whose hash the enclave checks
      --pipeline SCRIPT*             a pipeline, e.g. "/program/a.wasm ; if /output/x { /program/b.wasm }"
      --native-module-name NAME*     with --native-module-entry-point PATH* ("" for a static module)
      --native-module-special-file PATH*   ("" with an entry point: a provisioned module)
  -s, --veracruz-server-ip HOST:PORT
  -t, --proxy-attestation-server-ip HOST:PORT
      --proxy-attestation-server-cert FILE   the verifier's CA certificate
  -b, --css-file FILE                runtime_manager_hash_linux = SHA-256 of FILE (with no runtime
                                     hash option at all: this installation's sim measurement)
  -l, --pcr-file FILE                runtime_manager_hash_nitro = first 64 hex digits of FILE
      --sevsnp-hash HEX              runtime_manager_hash_sevsnp
      --linux-hash HEX               runtime_manager_hash_linux given directly (ours)
      --runtime-hash PLATFORM=HEX*   veracruz_ts.runtime_hashes (ours; e.g. sim=..., nitro=...)
  -x, --certificate-expiry TIME      enclave certificate expiry, RFC 2822 or ISO 8601, in UTC
  -e, --execution-strategy Interpretation|JIT   (default JIT)
  -d, --enclave-debug-mode           -n, --enable-clock
  -m, --max-memory-mib N             (default 256)
      --shutdown any|consensus:ID,ID (ours)     --execution-timeout-ms N (ours)
      --deterministic (ours)                    --storage-quota-bytes N (ours)
      --at ISO8601                   time at which the generated policy is checked (default now)
  (vc-pgen's -h for --hashes is not available: -h is help.)`;

function parseAt(value: string | undefined): Date {
  if (value === undefined) return new Date();
  const at = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(at.getTime())) {
    throw new UsageError(
      `--at wants an ISO 8601 time such as 2027-01-01T00:00:00Z, not "${value}"`,
    );
  }
  return at;
}

function onlyFile(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw new UsageError(`vc policy ${what} takes exactly one FILE`);
  return positionals[0] as string;
}

function subjectOf(pem: string): string {
  try {
    const certificate = parseCertificatePem(pem);
    return commonNameOf(certificate) ?? certificate.subject;
  } catch {
    return '?';
  }
}

interface CertificateWindow {
  readonly who: string;
  readonly notBefore: string;
  readonly notAfter: string;
}

/** Validity windows of every certificate in the policy (participants, then the verifier). */
function certificateWindows(loaded: LoadedPolicy): CertificateWindow[] {
  const { policy } = loaded;
  const entries = [
    ...policy.identities.map((identity) => [`#${identity.id}`, identity.certificate] as const),
    ['verifier', policy.proxyServiceCert] as const,
  ];
  return entries.map(([who, pem]) => {
    const certificate = parseCertificatePem(pem);
    return {
      who,
      notBefore: certificate.notBefore.toISOString(),
      notAfter: certificate.notAfter.toISOString(),
    };
  });
}

/** The span in which every certificate is valid: the times `--at` may take. */
function commonWindow(windows: readonly CertificateWindow[]): string {
  const from = windows
    .map((window) => window.notBefore)
    .sort()
    .at(-1);
  const until = windows.map((window) => window.notAfter).sort()[0];
  return `${from} .. ${until}`;
}

function summary(loaded: LoadedPolicy): Record<string, unknown> {
  const { policy } = loaded;
  return {
    certificates: certificateWindows(loaded),
    enclaveCertExpiry: policy.enclaveCertExpiry.toISOString(),
    executionStrategy: policy.executionStrategy,
    enableClock: policy.enableClock,
    debug: policy.debug,
    maxMemoryMib: policy.maxMemoryMib,
    runtimes: Object.fromEntries(
      ['sim', 'nitro', 'psa', 'cca', 'sevsnp', 'tdx', 'sgx']
        .map((platform) => [platform, acceptedRuntimeHashes(policy, platform)] as const)
        .filter(([, hashes]) => hashes.length > 0),
    ),
    verifier: {
      subject: subjectOf(policy.proxyServiceCert),
      url: policy.proxyAttestationServerUrl,
    },
    programs: policy.programs.map((program) => ({
      path: program.programFileName,
      hash:
        policy.fileHashes.find((entry) => entry.filePath === program.programFileName)?.hash ?? null,
    })),
    pipelines: policy.pipelines.map((pipeline) => ({
      name: pipeline.name,
      pipeline: pipeline.pipeline,
    })),
    extensions: policy.extensions,
  };
}

function runtimeLines(loaded: LoadedPolicy): string[] {
  const { policy } = loaded;
  const veracruz = Object.entries(policy.runtimeManagerHashes)
    .filter(([, hash]) => hash !== null)
    .map(
      ([platform, hash]) =>
        `runtime   ${platform.padEnd(7)}${hash}${platform === 'linux' ? ' (also accepted on sim)' : ''}`,
    );
  const ours = Object.entries(policy.extensions.runtimeHashes ?? {}).flatMap(([platform, hashes]) =>
    hashes.map((hash) => `runtime   ${platform.padEnd(7)}${hash} (veracruz_ts)`),
  );
  return [...veracruz, ...ours];
}

function extensionLines(loaded: LoadedPolicy): string[] {
  const { shutdown, executionTimeoutMs, deterministic, storageQuotaBytes } =
    loaded.policy.extensions;
  const lines: string[] = [];
  if (shutdown) {
    lines.push(
      `shutdown  ${shutdown.rule === 'any' ? 'any participant may end the computation' : `needs all of ${shutdown.of.map((id) => `#${id}`).join(', ')}`}`,
    );
  }
  const limits = [
    executionTimeoutMs !== undefined ? `execution ${executionTimeoutMs} ms` : '',
    storageQuotaBytes !== undefined ? `storage ${storageQuotaBytes} bytes` : '',
    deterministic ? 'deterministic mode' : '',
  ].filter(Boolean);
  if (limits.length > 0) lines.push(`limits    ${limits.join(', ')}`);
  return lines;
}

function readable(file: string, at: Date, loaded: LoadedPolicy): string {
  const { policy } = loaded;
  const hashes = new Map(policy.fileHashes.map((entry) => [entry.filePath, entry.hash]));
  const lines = [
    `policy    ${file}`,
    `sha256    ${loaded.hash}`,
    `checked   at ${at.toISOString()} (use --at to check at another time)`,
    `certs     all valid ${commonWindow(certificateWindows(loaded))}`,
    `enclave   certificates expire by ${policy.enclaveCertExpiry.toISOString()}`,
    `runs      ${policy.executionStrategy}, clock ${policy.enableClock ? 'on' : 'off'}, debug ${policy.debug ? 'ON' : 'off'}, max memory ${policy.maxMemoryMib} MiB`,
    ...runtimeLines(loaded),
    ...extensionLines(loaded),
    `verifier  ${subjectOf(policy.proxyServiceCert)} at ${policy.proxyAttestationServerUrl}`,
    ...policy.programs.map(
      (program) =>
        `program   ${program.programFileName}  sha256 ${hashes.get(program.programFileName) ?? '(none)'}`,
    ),
    ...policy.pipelines.map((pipeline) => `pipeline  "${pipeline.name}": ${pipeline.pipeline}`),
  ];
  lines.push('', formatPrincipalTable(describePrincipals(policy)));
  const warnings = loaded.warnings ?? [];
  if (warnings.length > 0)
    lines.push('', 'warnings:', ...warnings.map((warning) => `  - ${warning}`));
  return lines.join('\n');
}

async function check(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions({
    args: argv,
    allowPositionals: true,
    options: { at: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const file = onlyFile(positionals, 'check');
  const at = parseAt(values.at);
  const loaded = await loadPolicyFile(file, { now: at });
  if (values.json) {
    io.out(
      JSON.stringify({
        ok: true,
        file,
        hash: loaded.hash,
        at: at.toISOString(),
        ...summary(loaded),
        principals: describePrincipals(loaded.policy),
        warnings: loaded.warnings ?? [],
      }),
    );
  } else {
    io.out(readable(file, at, loaded));
  }
  return 0;
}

async function hash(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false } },
  });
  const file = onlyFile(positionals, 'hash');
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (cause) {
    throw new PolicyError('ERR_POLICY_FILE', '$', `cannot read ${file}`, { cause });
  }
  io.out(
    values.json ? JSON.stringify({ ok: true, file, hash: policyHash(bytes) }) : policyHash(bytes),
  );
  return 0;
}

// ---- generate -------------------------------------------------------------------------------

const generateOptions = {
  certificate: { type: 'string', short: 'c', multiple: true },
  capability: { type: 'string', short: 'p', multiple: true },
  'program-binary': { type: 'string', short: 'w', multiple: true },
  hashes: { type: 'string', multiple: true },
  pipeline: { type: 'string', multiple: true },
  'native-module-name': { type: 'string', multiple: true },
  'native-module-entry-point': { type: 'string', multiple: true },
  'native-module-special-file': { type: 'string', multiple: true },
  'veracruz-server-ip': { type: 'string', short: 's' },
  'proxy-attestation-server-ip': { type: 'string', short: 't' },
  'proxy-attestation-server-cert': { type: 'string' },
  'css-file': { type: 'string', short: 'b' },
  'pcr-file': { type: 'string', short: 'l' },
  'sevsnp-hash': { type: 'string' },
  'linux-hash': { type: 'string' },
  'runtime-hash': { type: 'string', multiple: true },
  'output-policy-file': { type: 'string', short: 'o' },
  'certificate-expiry': { type: 'string', short: 'x' },
  'execution-strategy': { type: 'string', short: 'e' },
  'enclave-debug-mode': { type: 'boolean', short: 'd' },
  'enable-clock': { type: 'boolean', short: 'n' },
  'max-memory-mib': { type: 'string', short: 'm' },
  shutdown: { type: 'string' },
  'execution-timeout-ms': { type: 'string' },
  deterministic: { type: 'boolean' },
  'storage-quota-bytes': { type: 'string' },
  at: { type: 'string' },
} as const;

type GenerateValues = ReturnType<typeof parseGenerateArgs>;

function parseGenerateArgs(argv: string[]) {
  return parseOptions({ args: argv, allowPositionals: false, options: generateOptions }).values;
}

function required(value: string | undefined, option: string): string {
  if (value === undefined || value === '') throw new UsageError(`--${option} is required`);
  return value;
}

function wholeNumber(
  value: string | undefined,
  option: string,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max)
    throw new UsageError(`--${option} wants a whole number ${min}..${max}`);
  return number;
}

function shutdownRule(value: string | undefined): PolicyExtensions['shutdown'] {
  if (value === undefined) return undefined;
  if (value === 'any') return { rule: 'any' };
  const match = /^consensus:(\d+(?:,\d+)*)$/.exec(value);
  if (!match) throw new UsageError('--shutdown is "any" or "consensus:ID,ID,..."');
  return { rule: 'consensus', of: (match[1] as string).split(',').map(Number) };
}

function extensionsFrom(values: GenerateValues): PolicyExtensions | undefined {
  const runtimeHashes: Record<string, string[]> = {};
  for (const entry of values['runtime-hash'] ?? []) {
    const [platform, hex] = entry.split('=');
    if (!platform || !hex) throw new UsageError('--runtime-hash wants PLATFORM=HEX');
    (runtimeHashes[platform] ??= []).push(hex.toLowerCase());
  }
  const shutdown = shutdownRule(values.shutdown);
  const timeout = wholeNumber(
    values['execution-timeout-ms'],
    'execution-timeout-ms',
    1,
    86_400_000,
  );
  const quota = wholeNumber(
    values['storage-quota-bytes'],
    'storage-quota-bytes',
    1,
    Number.MAX_SAFE_INTEGER,
  );
  const extensions: PolicyExtensions = {
    ...(Object.keys(runtimeHashes).length > 0 ? { runtimeHashes } : {}),
    ...(shutdown ? { shutdown } : {}),
    ...(timeout !== undefined ? { executionTimeoutMs: timeout } : {}),
    ...(values.deterministic ? { deterministic: true } : {}),
    ...(quota !== undefined ? { storageQuotaBytes: quota } : {}),
  };
  return Object.keys(extensions).length > 0 ? extensions : undefined;
}

function splitCapabilities(values: GenerateValues, counts: readonly number[]): string[][][] {
  const all = (values.capability ?? []).map((list) => list.split(','));
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (all.length !== total) {
    throw new UsageError(
      `${all.length} --capability given for ${counts[0]} certificates, ${counts[1]} programs and ${counts[2]} pipelines (${total} needed, in that order)`,
    );
  }
  let offset = 0;
  return counts.map((count) => all.slice(offset, (offset += count)));
}

async function generateInput(values: GenerateValues): Promise<GeneratePolicyInput> {
  const certificates = values.certificate ?? [];
  const programs = (values['program-binary'] ?? []).flatMap((v) =>
    renamablePaths(v, '--program-binary'),
  );
  const pipelines = values.pipeline ?? [];
  const [participantCaps = [], programCaps = [], pipelineCaps = []] = splitCapabilities(values, [
    certificates.length,
    programs.length,
    pipelines.length,
  ]);
  const names = values['native-module-name'] ?? [];
  const entryPoints = values['native-module-entry-point'] ?? [];
  const specialFiles = values['native-module-special-file'] ?? [];
  if (entryPoints.length !== names.length || specialFiles.length !== names.length) {
    throw new UsageError(
      'give one --native-module-entry-point and --native-module-special-file per --native-module-name',
    );
  }
  const strategy = values['execution-strategy'] ?? 'JIT';
  if (strategy !== 'JIT' && strategy !== 'Interpretation')
    throw new UsageError('--execution-strategy is Interpretation or JIT');
  const cssFile = values['css-file'];
  const pcrFile = values['pcr-file'];
  const extensions = extensionsFrom(values);
  const maxMemory = wholeNumber(values['max-memory-mib'], 'max-memory-mib', 0, 0xffffffff);
  return {
    participants: await Promise.all(
      certificates.map(async (file, index) => ({
        certificatePem: await readHostText(file),
        capabilities: participantCaps[index] ?? [],
      })),
    ),
    programs: await Promise.all(
      programs.map(async (program, index) => ({
        path: program.path,
        hash: sha256Hex(await readHostFile(program.file)),
        capabilities: programCaps[index] ?? [],
      })),
    ),
    pipelines: pipelines.map((pipeline, index) => ({
      pipeline,
      capabilities: pipelineCaps[index] ?? [],
    })),
    extraHashes: await Promise.all(
      (values.hashes ?? [])
        .flatMap((v) => renamablePaths(v, '--hashes'))
        .map(async (file) => ({
          path: file.path,
          hash: sha256Hex(await readHostFile(file.file)),
        })),
    ),
    nativeModules: names.map((name, index) => ({
      name,
      entryPoint: entryPoints[index] ?? '',
      specialFile: specialFiles[index] ?? '',
    })),
    veracruzServerUrl: required(values['veracruz-server-ip'], 'veracruz-server-ip'),
    proxyAttestationServerUrl: required(
      values['proxy-attestation-server-ip'],
      'proxy-attestation-server-ip',
    ),
    proxyServiceCertPem: await readHostText(
      required(values['proxy-attestation-server-cert'], 'proxy-attestation-server-cert'),
    ),
    runtimeManagerHashLinux:
      values['linux-hash']?.toLowerCase() ??
      (cssFile ? sha256Hex(await readHostFile(cssFile)) : await defaultRuntimeHash(values)),
    runtimeManagerHashNitro: pcrFile ? nitroHashFromPcrFile(await readHostText(pcrFile)) : null,
    runtimeManagerHashSevsnp: values['sevsnp-hash'] ?? null,
    enclaveCertExpiry: parseTimepoint(required(values['certificate-expiry'], 'certificate-expiry')),
    debug: values['enclave-debug-mode'] ?? false,
    executionStrategy: strategy,
    enableClock: values['enable-clock'] ?? false,
    ...(maxMemory !== undefined ? { maxMemoryMib: maxMemory } : {}),
    ...(extensions ? { extensions } : {}),
  };
}

/**
 * With no runtime hash given at all (-b, -l, --linux-hash, --sevsnp-hash, --runtime-hash), the
 * policy accepts this installation's enclave runtime: its sim measurement (`vc attest measure`)
 * goes into runtime_manager_hash_linux, the field the sim platform is checked against.
 */
async function defaultRuntimeHash(values: GenerateValues): Promise<string | null> {
  const given =
    values['css-file'] ??
    values['pcr-file'] ??
    values['linux-hash'] ??
    values['sevsnp-hash'] ??
    values['runtime-hash']?.[0];
  return given === undefined ? (await measureRuntime()).measurement : null;
}

async function generate(argv: string[], io: CliIo): Promise<number> {
  const values = parseGenerateArgs(argv);
  const at = parseAt(values.at);
  const output = values['output-policy-file'];
  if (output !== undefined) await checkOutputFile(output, { overwrite: true });
  const text = generatePolicyText(await generateInput(values));
  const bytes = new TextEncoder().encode(text);
  // Never write a policy that we would refuse to load.
  const loaded = parsePolicy(bytes, { now: at });
  if (output === undefined) {
    io.out(text);
    return 0;
  }
  await writeFile(output, bytes).catch((error: unknown) => {
    throw outputError(output, error);
  });
  io.err(`wrote ${output} (sha256 ${loaded.hash})`);
  for (const warning of loaded.warnings ?? []) io.err(`warning: ${warning}`);
  return 0;
}

const subcommands = new Map([
  ['check', check],
  ['hash', hash],
  ['generate', generate],
]);

async function run(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  const subcommand = sub === undefined ? undefined : subcommands.get(sub);
  if (!subcommand) throw new UsageError(usage);
  return subcommand(rest, io);
}

export const command: Command = {
  name: 'policy',
  usage,
  subcommands: [...subcommands.keys()],
  run,
};
