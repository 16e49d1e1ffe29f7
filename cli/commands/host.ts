// `vc host`: an (untrusted) host on NATS. It joins the hosts' queue group and, for each launch
// request, starts an enclave worker as its own OS process with the sim platform key.
import { UsageError } from '../../protocol/index.js';
import { SIM_KEY_ENV } from '../../enclave/index.js';
import { ensureJournalStream, NatsTransport, shownServers } from '../../transport/index.js';
import {
  defaultMaxEnclaves,
  startHost,
  processSpawner,
  openNatsRegistry,
  parseLauncherKeys,
} from '../../actors/index.js';
import { LOG_OPTIONS, LOG_USAGE, operatorLogFrom } from '../support.js';
import {
  NATS_OPTIONS,
  NATS_USAGE,
  REPLICAS_OPTION,
  REPLICAS_USAGE,
  natsSettingsFrom,
  replicasFrom,
  workerSettingsFrom,
} from '../nats-options.js';
import { untilSignal } from '../signals.js';
import { parseOptions, readHostText, type Command } from '../command.js';

const usage = `Usage: vc host [NATS OPTIONS] [--replicas N] [--worker-context NAME] [--name NAME]
               [--sim-key FILE] [--idle-timeout SECONDS] [--launcher-keys FILE] [--max-enclaves N]
               [--spares N | --no-spare] [--log-format F] [--log-level L] [--json]

Serves launch requests (subject <ns>.hosts.launch, queue group <ns>-hosts; ns is the namespace,
default vc) until interrupted: each launch starts an enclave worker process for the policy it
carries. Several hosts share the load. Each computation it holds has an entry in the computation
registry (JetStream KV bucket <ns>_computations; \`vc computations\` lists them), heartbeated every 2 s.
${NATS_USAGE}
${REPLICAS_USAGE}
  --worker-context NAME  the \`nats\` context whose credentials (and TLS files, if it names any) the
                  enclave workers connect with (docs/nats-permissions.md: the enclave worker's
                  user); default: this host's own
  --name NAME     this host's name in replies, traces and the registry (default host-<random>)
  --idle-timeout SECONDS  end a computation whose enclave saw no request for this long
                  (ERR_IDLE_TIMEOUT; default 1800)
  --launcher-keys FILE  operators allowed to launch any policy: PEM blocks, each a PUBLIC KEY or
                  a CERTIFICATE (its key), P-256 (\`vc identity new --name op --out DIR\` makes one:
                  give DIR/op.crt.pem here and DIR/op.key.pem to vc launch --operator-key).
                  A participant of the launched policy may always launch it; anyone else is
                  refused with ERR_LAUNCH_NOT_AUTHORIZED and no worker starts.
  --max-enclaves N  computations held at once; beyond, ERR_HOST_BUSY (default: two per core,
                  at most one per 256 MiB of free memory)
  --spares N      enclave worker processes kept started ahead of launches (loaded, connected,
                  waiting for their policy; default 1): a launch hands itself to one and
                  another starts. A spare serves one computation, and is not an enclave for
                  --max-enclaves. --no-spare: each launch starts its process (as --spares 0).
  --sim-key FILE  the sim platform attestation key handed to enclave workers
                  (default $${SIM_KEY_ENV}; \`vc attest sim-key\` makes one)
${LOG_USAGE}
                   (the enclave workers it starts log the same way, through its stderr)`;

export const command: Command = {
  name: 'host',
  usage,
  async run(argv, io) {
    const { values } = parseOptions({
      args: argv,
      options: {
        ...NATS_OPTIONS,
        ...REPLICAS_OPTION,
        'worker-context': { type: 'string' },
        name: { type: 'string' },
        'sim-key': { type: 'string' },
        'idle-timeout': { type: 'string' },
        'launcher-keys': { type: 'string' },
        'max-enclaves': { type: 'string' },
        spares: { type: 'string' },
        'no-spare': { type: 'boolean' },
        json: { type: 'boolean' },
        ...LOG_OPTIONS,
      },
    });
    const { log, format, level } = operatorLogFrom('host', values);
    const simKeyFile = values['sim-key'] ?? process.env[SIM_KEY_ENV];
    if (!simKeyFile)
      throw new UsageError(
        `no sim platform key: pass --sim-key FILE or set ${SIM_KEY_ENV}\n${usage}`,
      );
    const idleTimeout =
      values['idle-timeout'] === undefined ? 1800 : Number(values['idle-timeout']);
    if (!(idleTimeout > 0))
      throw new UsageError('--idle-timeout must be a positive number of seconds');
    if (values.name !== undefined && !/^[A-Za-z0-9_-]+$/.test(values.name))
      throw new UsageError('--name takes letters, digits, "-" and "_" only');
    const maxEnclaves =
      values['max-enclaves'] === undefined ? defaultMaxEnclaves() : Number(values['max-enclaves']);
    if (!Number.isInteger(maxEnclaves) || maxEnclaves < 1)
      throw new UsageError('--max-enclaves must be a positive whole number');
    if (values['no-spare'] && values.spares !== undefined)
      throw new UsageError('--spares and --no-spare exclude each other');
    const spares = values['no-spare'] ? 0 : values.spares === undefined ? 1 : Number(values.spares);
    if (!Number.isInteger(spares) || spares < 0)
      throw new UsageError('--spares must be a whole number (0 or more)');
    const keysFile = values['launcher-keys'];
    const launcherIds =
      keysFile === undefined ? [] : await parseLauncherKeys(await readHostText(keysFile), keysFile);
    const settings = natsSettingsFrom(values);
    const replicas = replicasFrom(values);
    const workerSettings = workerSettingsFrom(settings, values['worker-context']);
    const nats = shownServers(settings.servers);
    const bus = await NatsTransport.connect({ ...settings, name: `vc-host-${values.name ?? ''}` });
    await ensureJournalStream(bus.connection, {
      subjects: bus.subjects,
      ...(replicas === undefined ? {} : { replicas }),
    });
    const host = await startHost({
      bus,
      registry: await openNatsRegistry(bus.connection, {
        subjects: bus.subjects,
        ...(replicas === undefined ? {} : { replicas }),
      }),
      idleTimeoutMs: idleTimeout * 1000,
      maxEnclaves,
      launcherIds,
      spawn: processSpawner({
        nats: workerSettings,
        simKeyFile,
        log: (line) => io.err(line),
        logFormat: format,
        logLevel: level,
        spares,
        onLaunch: ({ worker, spare }) =>
          log.info(
            { worker, spare },
            spare ? 'launch handed to a spare worker process' : 'launch started its worker process',
          ),
      }),
      log,
      ...(values.name ? { host: values.name } : {}),
    });
    await bus.flush();
    io.out(
      values.json
        ? JSON.stringify({
            ok: true,
            service: 'host',
            host: host.host,
            nats,
            namespace: bus.subjects.namespace,
            maxEnclaves,
          })
        : `host ${host.host} serving launches on ${nats} (namespace ${bus.subjects.namespace}; at most ${maxEnclaves} enclaves, ${launcherIds.length} operator keys)`,
    );
    await untilSignal();
    await host.stop();
    await bus.close().catch(() => undefined);
    return 0;
  },
};
