// Process entry point of an enclave worker on NATS (launched by a host, see spawners.ts), run from
// the runtime bundle built from this file (enclave/evidence/runtime-bundle.ts):
//   node dist/enclave-runtime.mjs --nats URL --policy FILE --computation ID --sim-key FILE
//        [--log-format pretty|json] [--log-level LEVEL]
// It measures its own runtime (the bundle file it runs from), attests with the sim platform key handed to it by the host (Veracruz's
// Linux backend does the same: the platform key lives outside the enclave code), serves the
// computation, and exits 0 after a shutdown or 1 after a failure. It also stops when its stdin
// closes (its host went away).
import 'reflect-metadata';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  createSimAttester,
  measureRuntime,
  loadSimAttestationKey,
  shutdownWorkers,
} from '../../enclave/index.js';
import { NatsTransport } from '../../transport/index.js';
import { createOperatorLog, LOG_FORMATS, LOG_LEVELS } from '../runtime/log.js';
import { startEnclaveWorker } from './enclave-actor.js';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      nats: { type: 'string' },
      policy: { type: 'string' },
      computation: { type: 'string' },
      'sim-key': { type: 'string' },
      'log-format': { type: 'string' },
      'log-level': { type: 'string' },
    },
  });
  const format = LOG_FORMATS.find((f) => f === values['log-format']);
  const level = LOG_LEVELS.find((l) => l === values['log-level']);
  if (!values.nats || !values.policy || !values.computation) {
    console.error('usage: enclave-main --nats URL --policy FILE --computation ID [--sim-key FILE]');
    return 2;
  }
  const transport = await NatsTransport.connect({
    servers: values.nats,
    name: `vc-enclave-${values.computation}`,
  });
  const key = await loadSimAttestationKey(values['sim-key']);
  const worker = startEnclaveWorker({
    bus: transport,
    policyBytes: new Uint8Array(await readFile(values.policy)),
    computation: values.computation,
    attester: await createSimAttester(key),
    measurement: (await measureRuntime()).measurement,
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
  // The host keeps a pipe open on our stdin: its end means the host is gone, and a worker never
  // outlives its host.
  process.stdin.once('end', stop);
  process.stdin.once('error', stop);
  process.stdin.resume();
  const outcome = await worker.finished;
  if (outcome.failure)
    console.error(
      `enclave ${values.computation}: ${outcome.failure.code}: ${outcome.failure.message}`,
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
