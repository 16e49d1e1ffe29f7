// `vc attest`: offline evidence verification, the runtime measurement, the sim platform key, and
// the verifier's endorsements and reference values (file store or NATS JetStream KV).
import {
  fromHex,
  evidenceBytes,
  verifyEvidence,
  isPlatformName,
  type AppraisedEvidence,
  type PlatformName,
  DEFAULT_STORE_FILE,
  openStateStore,
  type StoreLocation,
  Registry,
  instanceIdOf,
  toPem,
} from '../../attestation/index.js';
import { measureRuntime, generateSimAttestationKey, SIM_KEY_ENV } from '../../enclave/index.js';
import { UsageError } from '../../protocol/index.js';
import { parseOptions, readHostFile, readHostText, type CliIo, type Command } from '../command.js';
import { checkOutputFile, outputError } from '../support.js';
import { NATS_OPTIONS, NATS_USAGE, natsSettingsFrom } from '../nats-options.js';

const usage = `Usage:
  vc attest verify --platform nitro|psa|cca|sevsnp|tdx|sgx|sim --evidence FILE [--root CERT]
                   [--key PEM] [--vcek CERT] [--chain PEM] [--collateral FILE.json]
                   [--at ISO8601|document] [--nonce HEX] [--measurement HEX]... [--pcr N=HEX]...
                   [--rem N=HEX]... [--personalization HEX]... [--rtmr N=HEX]... [--mrsigner HEX]
                   [--tcb-status STATUS]... [--allow-debug] [--json]
  vc attest measure [--manifest] [--json]
  vc attest sim-key --out FILE [--json]
  vc attest endorse add --platform P (--key PEM [--instance-id HEX] | --root PEM) [--label TEXT] [STORE]
  vc attest endorse list [--platform P] [STORE] [--json]
  vc attest endorse remove --platform P --id ID [STORE]
  vc attest reference add --platform P --value HEX [--kind measurement|pcrN|remN|personalization]
                          [--label TEXT] [STORE]
  vc attest reference list [--platform P] [STORE] [--json]
  vc attest reference remove --platform P --value HEX [--kind K] [STORE]

verify     appraises one piece of evidence offline. Exit 0 printing its claims when it verifies,
           1 with the error code otherwise. --at document verifies at the evidence's own timestamp
           (Nitro); default now. Nitro's root defaults to the pinned AWS Nitro root; PSA, CCA and sim
           need --key (the platform public key, PEM or JWK; the signature is checked with it whatever
           instance id the token names). SEV-SNP (a 1184-byte report) needs --vcek (the VCEK or VLEK,
           DER or PEM) and --chain (its ASK or ASVK and ARK, PEM) unless the evidence file carries
           them after the report; the ARK must be one of AMD's (pinned) or of --root. --measurement
           and --pcr give expected values (sim: runtime measurement; psa: every software component;
           nitro: PCR0; cca: the RIM; sevsnp: MEASUREMENT; tdx: MRTD; sgx: MRENCLAVE); --rem and
           --personalization a CCA realm's REMs and personalization value; --nonce the nonce (cca:
           the realm challenge; sevsnp: the expected report_data). tdx and sgx take the raw DCAP
           quote, its --collateral (Intel PCS collateral as dcap-qvl's QuoteCollateralV3 JSON) and
           --root (PEM or DER, default the pinned Intel SGX Root CA); collateral lives about a
           month, so give --at inside its window; --rtmr and --mrsigner give expected RTMRs and
           MRSIGNER; --tcb-status lists the accepted TCB statuses (default any but Revoked; the
           status and advisories are printed). Debug evidence is refused unless --allow-debug.
measure    prints the measurement of this installation's enclave runtime (docs/attestation.md):
           the SHA-256 of a manifest stating the runtime bundle's SHA-256 and its Node version;
           --manifest prints the manifest. Builds dist/enclave-runtime.mjs if missing or stale.
sim-key    creates the sim platform attestation key (PKCS#8 PEM, mode 0600) for the host launcher
           (${SIM_KEY_ENV}) and prints its public key, to endorse at the verifier.
endorse    manages platform keys (sim, psa, cca) and roots (nitro; sevsnp: AMD ARKs; tdx, sgx) in
           the verifier's state store. A psa or cca key is endorsed for --instance-id HEX (default
           0x01 || SHA-256 of its point).
reference  manages reference values (allowed measurements; nitro PCRs as --kind pcr1..pcr31;
           cca REMs as --kind rem0..rem3 and the personalization value as --kind personalization;
           tdx --kind rtmr0..rtmr3, mrconfigid, mrowner, mrownerconfig; sgx --kind mrsigner).
STORE      --store FILE (default ${DEFAULT_STORE_FILE}) or --nats URL [--bucket NAME] (default
           <ns>_verifier), with the NATS connection options below.
${NATS_USAGE}
Simulated (sim) evidence is INSECURE: anyone holding the platform key can forge it.`;

const options = {
  platform: { type: 'string' },
  evidence: { type: 'string' },
  root: { type: 'string' },
  key: { type: 'string' },
  vcek: { type: 'string' },
  chain: { type: 'string' },
  at: { type: 'string' },
  nonce: { type: 'string' },
  measurement: { type: 'string', multiple: true },
  pcr: { type: 'string', multiple: true },
  rem: { type: 'string', multiple: true },
  personalization: { type: 'string', multiple: true },
  'instance-id': { type: 'string' },
  rtmr: { type: 'string', multiple: true },
  mrsigner: { type: 'string', multiple: true },
  'tcb-status': { type: 'string', multiple: true },
  collateral: { type: 'string' },
  'allow-debug': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  manifest: { type: 'boolean', default: false },
  out: { type: 'string' },
  label: { type: 'string' },
  id: { type: 'string' },
  value: { type: 'string' },
  kind: { type: 'string' },
  store: { type: 'string' },
  ...NATS_OPTIONS,
  bucket: { type: 'string' },
} as const;

type Values = ReturnType<
  typeof parseOptions<{ options: typeof options; allowPositionals: true }>
>['values'];

function platformOf(values: Values, required = true): PlatformName | undefined {
  if (values.platform === undefined) {
    if (required) throw new UsageError('--platform nitro|psa|cca|sevsnp|tdx|sgx|sim is required');
    return undefined;
  }
  if (!isPlatformName(values.platform))
    throw new UsageError(
      `unknown --platform ${values.platform}: use nitro, psa, cca, sevsnp, tdx, sgx or sim`,
    );
  return values.platform;
}

function parseAt(value: string | undefined): Date | 'document' {
  if (value === undefined) return new Date();
  if (value === 'document') return 'document';
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new UsageError('--at takes an ISO 8601 time or "document"');
  return at;
}

function parsePcrs(
  values: readonly string[] | undefined,
  flag = '--pcr',
): Map<number, string[]> | undefined {
  if (!values) return undefined;
  const pcrs = new Map<number, string[]>();
  for (const entry of values) {
    const match = /^(\d{1,2})=([0-9a-fA-F]+)$/.exec(entry);
    if (!match) throw new UsageError(`${flag} takes N=HEX, not "${entry}"`);
    const index = Number(match[1]);
    pcrs.set(index, [...(pcrs.get(index) ?? []), match[2] ?? '']);
  }
  return pcrs;
}

const readText = (path: string | undefined): Promise<string> | undefined =>
  path ? readHostText(path) : undefined;

/** A root certificate file, PEM or DER (Intel ships its root as DER), as PEM text. */
async function readRootPem(path: string): Promise<string> {
  const bytes = await readHostFile(path);
  const text = new TextDecoder().decode(bytes);
  return text.includes('-----BEGIN CERTIFICATE-----') ? text : toPem(bytes, 'CERTIFICATE');
}

/** --rem N=HEX, --personalization HEX (cca), --rtmr N=HEX and --mrsigner HEX (tdx, sgx) as named reference values. */
function namedValues(values: Values): Map<string, string[]> | undefined {
  const named = new Map<string, string[]>();
  for (const [index, hexes] of parsePcrs(values.rem, '--rem') ?? []) {
    if (index > 3) throw new UsageError('--rem takes N=HEX with N from 0 to 3');
    named.set(`rem${index}`, hexes);
  }
  if (values.personalization) named.set('personalization', values.personalization);
  for (const entry of values.rtmr ?? []) {
    const match = /^([0-3])=([0-9a-fA-F]+)$/.exec(entry);
    if (!match) throw new UsageError(`--rtmr takes N=HEX with N in 0..3, not "${entry}"`);
    const name = `rtmr${match[1] ?? ''}`;
    named.set(name, [...(named.get(name) ?? []), match[2] ?? '']);
  }
  if (values.mrsigner) named.set('mrsigner', values.mrsigner);
  return named.size > 0 ? named : undefined;
}

async function verify(values: Values, io: CliIo): Promise<number> {
  const platform = platformOf(values) as PlatformName;
  if (!values.evidence) throw new UsageError('--evidence FILE is required');
  const rootPem = values.root ? await readRootPem(values.root) : undefined;
  const keyPem = await readText(values.key);
  const chainPem = await readText(values.chain);
  const vcek = values.vcek ? await readHostFile(values.vcek) : undefined;
  const collateral = await readText(values.collateral);
  const measurements = values.measurement;
  const pcrs = parsePcrs(values.pcr);
  const expectedValues = namedValues(values);
  const tcbStatuses = values['tcb-status'];
  const result = await verifyEvidence({
    platform,
    evidence: evidenceBytes(await readHostFile(values.evidence)),
    at: parseAt(values.at),
    allowDebug: values['allow-debug'],
    ...(rootPem ? { rootPem } : {}),
    ...(keyPem ? { keyPem } : {}),
    ...(chainPem !== undefined ? { chainPem } : {}),
    ...(vcek ? { vcek } : {}),
    ...(values.nonce ? { nonce: fromHex(values.nonce, '--nonce') } : {}),
    ...(measurements ? { measurements } : {}),
    ...(pcrs ? { pcrs } : {}),
    ...(expectedValues ? { expectedValues } : {}),
    ...(collateral !== undefined ? { collateral } : {}),
    ...(tcbStatuses ? { tcbStatuses } : {}),
  });
  printAppraisal(result, values.json ?? false, io);
  return 0;
}

/** --rem N=HEX (N 0..3) and --personalization HEX as reference kinds rem0..rem3, personalization. */
function printAppraisal(result: AppraisedEvidence, json: boolean, io: CliIo): void {
  const summary = {
    ok: true,
    platform: result.platform,
    insecure: result.insecure,
    debug: result.debug,
    measurement: result.measurement,
    claims: result.claims,
  };
  if (json) return io.out(JSON.stringify(summary));
  if (result.insecure) io.out('INSECURE: simulated attestation, no hardware guarantee');
  io.out(`verified ${result.platform} evidence${result.debug ? ' (DEBUG)' : ''}`);
  io.out(`measurement ${result.measurement}`);
  io.out(JSON.stringify(result.claims, null, 2));
}

async function measure(values: Values, io: CliIo): Promise<number> {
  const result = await measureRuntime();
  if (values.json)
    io.out(
      JSON.stringify({
        platform: 'sim',
        measurement: result.measurement,
        bundle: result.bundle,
        bundleSha256: result.bundleSha256,
        manifest: result.manifest,
      }),
    );
  else if (values.manifest) io.out(result.manifest.trimEnd());
  else io.out(result.measurement);
  return 0;
}

async function simKey(values: Values, io: CliIo): Promise<number> {
  if (!values.out)
    throw new UsageError('--out FILE is required (an existing file is never overwritten)');
  const out = values.out;
  await checkOutputFile(out, { overwrite: false });
  const key = await generateSimAttestationKey(out).catch((error: unknown) => {
    throw outputError(out, error);
  });
  const instanceId = await instanceIdOf(key.publicKey);
  if (values.json)
    io.out(
      JSON.stringify({
        file: values.out,
        instanceId,
        publicKeyPem: key.publicKeyPem,
        insecure: true,
      }),
    );
  else
    io.out(
      `wrote ${values.out} (sim platform key, INSECURE by design)\ninstance id ${instanceId}\n${key.publicKeyPem}`,
    );
  return 0;
}

function storeLocation(values: Values): StoreLocation {
  const overNats = values.nats !== undefined || values.context !== undefined;
  if (overNats && values.store) throw new UsageError('give --store or --nats, not both');
  if (overNats)
    return {
      kind: 'nats',
      settings: natsSettingsFrom(values),
      ...(values.bucket ? { bucket: values.bucket } : {}),
    };
  return { kind: 'file', path: values.store ?? DEFAULT_STORE_FILE };
}

async function withRegistry(
  values: Values,
  action: (registry: Registry) => Promise<number>,
): Promise<number> {
  const store = await openStateStore(storeLocation(values));
  try {
    return await action(new Registry(store));
  } finally {
    await store.close();
  }
}

type Action = (values: Values, io: CliIo) => Promise<number>;

/** An action on the verifier's state store, opened for it and closed after. */
const onRegistry =
  (action: (registry: Registry, values: Values, io: CliIo) => Promise<void>): Action =>
  (values, io) =>
    withRegistry(values, async (registry) => {
      await action(registry, values, io);
      return 0;
    });

const endorseAdd = onRegistry(async (registry, values, io) => {
  const platform = platformOf(values) as PlatformName;
  const label = values.label;
  if (values['instance-id'] !== undefined && !values.key)
    throw new UsageError('--instance-id goes with --key');
  if (values.key && !values.root) {
    const instanceId = values['instance-id'];
    if (instanceId !== undefined) fromHex(instanceId, '--instance-id'); // a usage error unless hex
    const record = await registry.addKey(
      platform,
      await readHostText(values.key),
      label,
      instanceId,
    );
    io.out(values.json ? JSON.stringify(record) : `endorsed ${platform} key ${record.id}`);
  } else if (values.root && !values.key) {
    const record = await registry.addRoot(platform, await readRootPem(values.root), label);
    io.out(values.json ? JSON.stringify(record) : `endorsed ${platform} root ${record.id}`);
  } else throw new UsageError('give exactly one of --key PEM or --root CERT');
});

const endorseList = onRegistry(async (registry, values, io) => {
  const records = await registry.endorsements(platformOf(values, false));
  if (values.json) io.out(JSON.stringify(records));
  else
    for (const r of records)
      io.out(`${r.platform} ${r.kind} ${r.id}${r.label ? ` ${r.label}` : ''}`);
});

const endorseRemove = onRegistry(async (registry, values, io) => {
  if (!values.id) throw new UsageError('--id ID is required');
  await registry.removeEndorsement(platformOf(values) as PlatformName, values.id);
  io.out(`removed ${values.id}`);
});

const referenceAdd = onRegistry(async (registry, values, io) => {
  if (!values.value) throw new UsageError('--value HEX is required');
  const record = await registry.addReference(
    platformOf(values) as PlatformName,
    values.value,
    values.kind,
    values.label,
  );
  io.out(
    values.json
      ? JSON.stringify(record)
      : `allowed ${record.platform} ${record.kind} ${record.value}`,
  );
});

const referenceList = onRegistry(async (registry, values, io) => {
  const records = await registry.references(platformOf(values, false));
  if (values.json) io.out(JSON.stringify(records));
  else
    for (const r of records)
      io.out(`${r.platform} ${r.kind} ${r.value}${r.label ? ` ${r.label}` : ''}`);
});

const referenceRemove = onRegistry(async (registry, values, io) => {
  if (!values.value) throw new UsageError('--value HEX is required');
  await registry.removeReference(platformOf(values) as PlatformName, values.value, values.kind);
  io.out(`removed ${values.value}`);
});

/** The subcommands, by the words that select them (no subcommand takes other operands). */
const actions = new Map<string, Action>([
  ['verify', verify],
  ['measure', measure],
  ['sim-key', simKey],
  ['endorse add', endorseAdd],
  ['endorse list', endorseList],
  ['endorse remove', endorseRemove],
  ['reference add', referenceAdd],
  ['reference list', referenceList],
  ['reference remove', referenceRemove],
]);

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions({ args: argv, options, allowPositionals: true });
  const action = actions.get(positionals.join(' '));
  if (!action) throw new UsageError(usage);
  return action(values, io);
}

export const command: Command = {
  name: 'attest',
  usage,
  subcommands: [...actions.keys()],
  run,
};
