// `vc verifier`: the verifier service (Veracruz's proxy attestation service) on NATS: challenges,
// appraisal and enclave certificates signed by the CA that policies name as proxy_service_cert.
// Endorsements and reference values are managed with `vc attest endorse|reference` on the same store.
import {
  openVerifier,
  DEFAULT_STORE_FILE,
  type StoreLocation,
  caFromPem,
} from '../../attestation/index.js';
import { UsageError } from '../../protocol/index.js';
import { ensureJournalStream, NatsTransport, shownServers } from '../../transport/index.js';
import { startVerifierService } from '../../actors/index.js';
import { LOG_OPTIONS, LOG_USAGE, operatorLogFrom } from '../support.js';
import {
  NATS_OPTIONS,
  NATS_USAGE,
  REPLICAS_OPTION,
  REPLICAS_USAGE,
  natsSettingsFrom,
  replicasFrom,
} from '../nats-options.js';
import { untilSignal } from '../signals.js';
import { parseOptions, readHostText, type Command } from '../command.js';

const usage = `Usage: vc verifier --ca-cert PEM --ca-key PEM [--store FILE | --store-nats] [NATS OPTIONS]
                   [--replicas N] [--allow-simulation] [--allow-debug] [--tcb-status STATUS]...
                   [--log-format F] [--log-level L] [--json]

Serves attestation on NATS (subject <ns>.verifier, default vc.verifier) until interrupted: issues challenges, appraises
evidence against the store's endorsements and reference values, and issues enclave certificates
signed by the CA (the policies' proxy_service_cert), which also signs every reply.
  --ca-cert, --ca-key  the verifier CA certificate and PKCS#8 key (vc identity ca makes them)
  --store FILE         state store file (default ${DEFAULT_STORE_FILE})
  --store-nats         keep the state in NATS JetStream KV on the same server instead (bucket
                       <ns>_verifier)
  --allow-simulation   accept sim evidence (INSECURE: for development only)
  --allow-debug        accept debug evidence (Nitro all-zero PCRs, PSA debug lifecycle)
  --tcb-status STATUS  a TDX/SGX TCB status to accept (repeatable; replaces the default UpToDate,
                       SWHardeningNeeded, ConfigurationNeeded, ConfigurationAndSWHardeningNeeded)
${NATS_USAGE}
${REPLICAS_USAGE}
${LOG_USAGE}`;

export const command: Command = {
  name: 'verifier',
  usage,
  async run(argv, io) {
    const { values } = parseOptions({
      args: argv,
      options: {
        'ca-cert': { type: 'string' },
        'ca-key': { type: 'string' },
        store: { type: 'string' },
        'store-nats': { type: 'boolean' },
        ...NATS_OPTIONS,
        ...REPLICAS_OPTION,
        'allow-simulation': { type: 'boolean' },
        'allow-debug': { type: 'boolean' },
        'tcb-status': { type: 'string', multiple: true },
        json: { type: 'boolean' },
        ...LOG_OPTIONS,
      },
    });
    const { log } = operatorLogFrom('verifier', values);
    const caCertificateFile = values['ca-cert'];
    const caKeyFile = values['ca-key'];
    if (!caCertificateFile || !caKeyFile) throw new UsageError(usage);
    const settings = natsSettingsFrom(values);
    const replicas = replicasFrom(values);
    const nats = shownServers(settings.servers);
    const store: StoreLocation = values['store-nats']
      ? { kind: 'nats', settings, ...(replicas === undefined ? {} : { replicas }) }
      : { kind: 'file', path: values.store ?? DEFAULT_STORE_FILE };
    const { verifier, close } = await openVerifier({
      store,
      caCertificateFile,
      caKeyFile,
      config: {
        allowSimulation: values['allow-simulation'] ?? false,
        allowDebug: values['allow-debug'] ?? false,
        ...(values['tcb-status'] ? { tcbStatuses: values['tcb-status'] } : {}),
      },
    });
    const ca = await caFromPem(
      await readHostText(caCertificateFile),
      await readHostText(caKeyFile),
    );
    const bus = await NatsTransport.connect({ ...settings, name: 'vc-verifier' });
    await ensureJournalStream(bus.connection, {
      subjects: bus.subjects,
      ...(replicas === undefined ? {} : { replicas }),
    });
    const service = startVerifierService({ bus, verifier, ca, log });
    await bus.flush();
    const ready = {
      ok: true,
      service: 'verifier',
      nats,
      namespace: bus.subjects.namespace,
      ca: ca.certificate.subject,
      allowSimulation: values['allow-simulation'] ?? false,
    };
    io.out(
      values.json
        ? JSON.stringify(ready)
        : `verifier serving on ${nats} (CA ${ready.ca})${ready.allowSimulation ? ' — INSECURE: accepting simulated evidence' : ''}`,
    );
    await untilSignal();
    service.stop();
    await bus.close().catch(() => undefined);
    await close();
    return 0;
  },
};
