// Process entry point of an enclave worker on NATS (started by a host, see spawners.ts), run from
// the runtime bundle built from this file (enclave/evidence/runtime-bundle.ts):
//   node dist/enclave-runtime.mjs --nats URL --sim-key FILE [--log-format pretty|json] [--log-level LEVEL]
// with its connection settings (URLs, credentials, TLS, namespace) as JSON in $VC_NATS_SETTINGS when
// the host has more to hand it than a URL (transport/nats-settings.ts).
// A host starts it ahead of its launch (a spare): it loads, connects, measures its own runtime (the
// bundle file it runs from) and loads the sim platform key handed to it by the host (Veracruz's
// Linux backend does the same: the platform key lives outside the enclave code), makes its enclave
// keys, writes `ready` on its stdout, then waits for its one launch on stdin: a single JSON line
// {"policy": FILE, "computation": ID}, the policy in the host's private temporary file, says
// `launched` on its stdout (the host hands the launch to a fresh process if a spare dies before),
// then serves that computation and exits 0 after a shutdown or 1 after a failure. A process serves one computation only. It stops when its stdin closes (its host
// went away), before its launch (exit 0) as after.
import 'reflect-metadata';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  buildEnclaveCsr,
  createSimAttester,
  generateEnclaveKeys,
  measureRuntime,
  loadSimAttestationKey,
  shutdownWorkers,
} from '../../enclave/index.js';
import { NatsTransport, settingsFromEnv } from '../../transport/index.js';
import { createOperatorLog, LOG_FORMATS, LOG_LEVELS } from '../runtime/log.js';
import { startEnclaveWorker } from './enclave-actor.js';

interface Launch {
  readonly policy: string;
  readonly computation: string;
}

/**
 * The host keeps a pipe open on our stdin: its end means the host is gone, and a worker never
 * outlives its host. Until then its first line is the launch.
 */
function readStdin(): { launch: Promise<Launch | undefined>; hostGone: Promise<void> } {
  const hostGone = new Promise<void>((resolve) => {
    process.stdin.once('end', resolve);
    process.stdin.once('error', () => resolve());
  });
  const launch = new Promise<Launch | undefined>((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const end = text.indexOf('\n');
      if (end < 0) return;
      process.stdin.off('data', onData);
      try {
        const line = JSON.parse(text.slice(0, end)) as Partial<Launch>;
        if (typeof line.policy !== 'string' || typeof line.computation !== 'string')
          throw new Error('a launch line holds a policy file and a computation id');
        resolve({ policy: line.policy, computation: line.computation });
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    };
    process.stdin.on('data', onData);
    void hostGone.then(() => resolve(undefined));
  });
  return { launch, hostGone };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      nats: { type: 'string' },
      'sim-key': { type: 'string' },
      'log-format': { type: 'string' },
      'log-level': { type: 'string' },
    },
  });
  const format = LOG_FORMATS.find((f) => f === values['log-format']);
  const level = LOG_LEVELS.find((l) => l === values['log-level']);
  const settings = settingsFromEnv() ?? (values.nats ? { servers: [values.nats] } : undefined);
  if (!settings) {
    console.error('usage: enclave-main --nats URL [--sim-key FILE] (then its launch on stdin)');
    return 2;
  }
  // Listen first: a launch written while the process still loads waits in the pipe.
  const stdin = readStdin();
  const [transport, attester, measured] = await Promise.all([
    NatsTransport.connect({ ...settings, name: `vc-enclave-${process.pid}` }),
    loadSimAttestationKey(values['sim-key']).then((key) => createSimAttester(key)),
    measureRuntime(),
  ]);
  // This process's enclave keys, made while it waits (it serves one computation only), and a
  // request for them built and dropped: the first use of WebCrypto and of the X.509 code costs tens
  // of milliseconds, paid here rather than after the launch.
  const keys = generateEnclaveKeys();
  await keys.then((made) => buildEnclaveCsr(made)).catch(() => undefined);
  process.stdout.write('ready\n'); // to the host: this spare waits for its launch
  const launch = await stdin.launch;
  if (!launch) {
    // A spare whose host went away before handing it a launch.
    await transport.close().catch(() => undefined);
    return 0;
  }
  process.stdout.write('launched\n'); // to the host: this process serves the launch
  const worker = startEnclaveWorker({
    bus: transport,
    policyBytes: new Uint8Array(await readFile(launch.policy)),
    computation: launch.computation,
    attester,
    measurement: measured.measurement,
    keys,
    log: createOperatorLog({
      name: 'enclave',
      ...(format ? { format } : {}),
      ...(level ? { level } : {}),
    }),
  });
  // A signal (the host draining, or Ctrl-C reaching the process group) stops the computation; the
  // process then exits below. A second signal, or a stop that does not finish, exits at once.
  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(1);
    stopping = true;
    worker.stop();
    setTimeout(() => process.exit(1), 5_000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  void stdin.hostGone.then(stop);
  const outcome = await worker.finished;
  if (outcome.failure)
    console.error(
      `enclave ${launch.computation}: ${outcome.failure.code}: ${outcome.failure.message}`,
    );
  // `finished` resolves after the worker's last replies were handed to the bus; flush them out.
  await transport.flush().catch(() => undefined);
  await transport.close().catch(() => undefined);
  await shutdownWorkers().catch(() => undefined);
  return outcome.failure ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      `enclave worker failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  },
);
