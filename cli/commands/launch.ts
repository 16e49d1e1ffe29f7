// `vc launch POLICY`: Veracruz's `vc-server POLICY`. Asks the host pool to start an enclave for the
// policy, waits until it is attested and ready (checked as a participant would), and prints the
// computation id participants find from their own copy of the policy.
import { UsageError, loadIdentity, loadPolicyFile } from '../../protocol/index.js';
import { NatsTransport, shownServers } from '../../transport/index.js';
import {
  launchComputation,
  operatorSigner,
  participantSigner,
  type Signer,
} from '../../actors/index.js';
import { NATS_OPTIONS, NATS_USAGE, natsSettingsFrom } from '../nats-options.js';
import { parseOptions, readHostText, type Command } from '../command.js';

const usage = `Usage: vc launch POLICY (--identity CERT --key KEY | --operator-key KEY) [NATS OPTIONS]
                [--platform sim] [--timeout SECONDS] [--json]

Starts an enclave for POLICY on one of the hosts, waits until it is attested and ready, checks its
certificate chain, measurement and policy hash as a participant would, and prints the computation id.
  --identity CERT --key KEY  sign the launch request as this participant of POLICY
  --operator-key KEY         sign it with an operator key (P-256 PKCS#8 PEM, \`vc identity new\`)
                    whose public key or certificate the hosts were given (vc host --launcher-keys)
  --platform NAME   attestation platform (default sim)
  --timeout SECONDS how long to wait for the enclave (default 60; --timeout-ms N also works)
A policy whose computation is already running is refused with ERR_ALREADY_RUNNING (naming the host
and worker holding it); no host serving is ERR_NO_HOSTS at once; a request signed by anyone else is
refused with ERR_LAUNCH_NOT_AUTHORIZED; a host at its --max-enclaves is asked once more (another host
may take it), then ERR_HOST_BUSY.
${NATS_USAGE}`;

/** Who signs the launch request: a participant (its identity) or an operator key. */
async function launchSigner(values: {
  identity?: string | undefined;
  key?: string | undefined;
  'operator-key'?: string | undefined;
}): Promise<Signer> {
  const operatorKey = values['operator-key'];
  if (operatorKey !== undefined) {
    if (values.identity !== undefined || values.key !== undefined)
      throw new UsageError('give --identity CERT --key KEY or --operator-key KEY, not both');
    return operatorSigner(await readHostText(operatorKey));
  }
  if (values.identity === undefined || values.key === undefined)
    throw new UsageError(
      `who launches? give --identity CERT --key KEY or --operator-key KEY\n${usage}`,
    );
  return participantSigner(await loadIdentity(values.identity, values.key));
}

export const command: Command = {
  name: 'launch',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseOptions({
      args: argv,
      allowPositionals: true,
      options: {
        ...NATS_OPTIONS,
        identity: { type: 'string' },
        key: { type: 'string' },
        'operator-key': { type: 'string' },
        platform: { type: 'string' },
        timeout: { type: 'string' },
        'timeout-ms': { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    const [policyFile] = positionals;
    if (!policyFile || positionals.length > 1) throw new UsageError(usage);
    if (values.timeout !== undefined && values['timeout-ms'] !== undefined)
      throw new UsageError('give --timeout SECONDS or --timeout-ms N, not both');
    const timeoutMs =
      values.timeout !== undefined
        ? Number(values.timeout) * 1000
        : values['timeout-ms'] === undefined
          ? 60_000
          : Number(values['timeout-ms']);
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
      throw new UsageError(
        values.timeout !== undefined
          ? '--timeout must be a positive number of seconds'
          : '--timeout-ms must be a positive integer',
      );
    const signer = await launchSigner(values);
    const policy = await loadPolicyFile(policyFile);
    const settings = natsSettingsFrom(values);
    const nats = shownServers(settings.servers);
    const bus = await NatsTransport.connect({ ...settings, name: 'vc-launch' });
    try {
      if (!values.json)
        io.err(
          `launching an enclave for ${policyFile} (policy ${policy.hash.slice(0, 16)}…) via ${nats}`,
        );
      const launched = await launchComputation({
        bus,
        policy,
        signer,
        timeoutMs,
        ...(values.platform ? { platform: values.platform } : {}),
      });
      const summary = {
        ok: true,
        computation: launched.computation,
        host: launched.host,
        worker: launched.worker,
        session: launched.ready.session,
        platform: launched.enclave?.platform,
        measurement: launched.enclave?.measurement,
        insecure: launched.enclave?.insecure,
      };
      if (values.json) io.out(JSON.stringify(summary));
      else {
        io.err(
          `attested on ${summary.platform}${summary.insecure ? ' (INSECURE simulation)' : ''} by ${launched.host}/${launched.worker}; ready`,
        );
        io.out(launched.computation);
      }
      return 0;
    } finally {
      await bus.close().catch(() => undefined);
    }
  },
};
