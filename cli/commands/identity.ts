// `vc identity new|ca --name NAME --out DIR`: a P-256 key (PKCS#8 PEM) and a self-signed
// certificate, for a participant (`new`) or for a verifier acting as a CA (`ca`).
import {
  UsageError,
  certificateFingerprint,
  createIdentity,
  writeIdentityFiles,
  type KeyAlgorithmName,
} from '../../protocol/index.js';
import { parseOptions, type CliIo, type Command } from '../command.js';
import { checkOutputFolder, outputError } from '../support.js';

const usage = `Usage:
  vc identity new --name NAME --out DIR [--days N] [--algorithm p256|ed25519] [--org ORG] [--json]
  vc identity ca  --name NAME --out DIR [--days N] [--algorithm p256|ed25519] [--org ORG] [--json]

Writes DIR/NAME.key.pem (private key, PKCS#8 PEM, mode 0600) and DIR/NAME.crt.pem (self-signed
X.509 certificate, PEM). \`new\` makes a participant certificate (digitalSignature, not a CA), \`ca\` a
CA certificate (keyCertSign) such as the verifier's proxy_service_cert. Existing files are never
overwritten. Validity starts now and lasts --days days (default 3650).
NAME: 1-64 characters of letters, digits, '.', '_' or '-', starting with a letter or digit.`;

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** `new` makes a participant's identity, `ca` a CA's. */
const kinds = ['new', 'ca'] as const;
const isKind = (word: string | undefined): word is (typeof kinds)[number] =>
  kinds.some((kind) => kind === word);

function parseAlgorithm(value: string | undefined): KeyAlgorithmName {
  if (value === undefined || value === 'p256' || value === 'P-256') return 'P-256';
  if (value === 'ed25519' || value === 'Ed25519') return 'Ed25519';
  throw new UsageError(`unknown --algorithm ${value}: use p256 or ed25519`);
}

function parseDays(value: string | undefined): number {
  if (value === undefined) return 3650;
  const days = Number(value);
  if (!Number.isInteger(days) || days < 1 || days > 36500) {
    throw new UsageError('--days takes a whole number of days from 1 to 36500');
  }
  return days;
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      out: { type: 'string' },
      days: { type: 'string' },
      algorithm: { type: 'string' },
      org: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const [kind, ...extra] = positionals;
  if (!isKind(kind) || extra.length > 0) throw new UsageError(usage);
  if (!values.name || !NAME_PATTERN.test(values.name)) {
    throw new UsageError('--name NAME is required (letters, digits, . _ -; at most 64)');
  }
  if (!values.out) throw new UsageError('--out DIR is required');
  const out = values.out;
  // The same names writeIdentityFiles writes; it never overwrites them.
  await checkOutputFolder(out, [`${values.name}.crt.pem`, `${values.name}.key.pem`]);
  const identity = await createIdentity({
    name: { commonName: values.name, ...(values.org ? { organization: values.org } : {}) },
    now: new Date(),
    validityDays: parseDays(values.days),
    algorithm: parseAlgorithm(values.algorithm),
    ca: kind === 'ca',
  });
  const paths = await writeIdentityFiles(out, values.name, identity).catch((error: unknown) => {
    throw outputError(out, (error as { cause?: unknown }).cause ?? error);
  });
  const summary = {
    ok: true,
    kind: kind === 'ca' ? 'ca' : 'participant',
    name: values.name,
    certificate: paths.certificate,
    key: paths.key,
    notBefore: identity.certificate.notBefore.toISOString(),
    notAfter: identity.certificate.notAfter.toISOString(),
    fingerprint: certificateFingerprint(identity.certificate),
  };
  if (values.json) {
    io.out(JSON.stringify(summary));
  } else {
    io.out(
      [
        `${summary.kind === 'ca' ? 'CA' : 'identity'} ${values.name}`,
        `  certificate  ${paths.certificate}`,
        `  private key  ${paths.key} (keep it secret)`,
        `  valid        ${summary.notBefore} .. ${summary.notAfter}`,
        `  sha256       ${summary.fingerprint}`,
      ].join('\n'),
    );
  }
  return 0;
}

export const command: Command = {
  name: 'identity',
  usage,
  subcommands: kinds,
  run,
};
