// How a host starts enclave workers: in this process (execution still in worker threads), or on NATS
// each worker as its own OS process running the enclave runtime bundle (dist/enclave-runtime.mjs,
// built from actors/enclave-worker/enclave-main.ts), the policy travelling in a private temporary file.
// A worker process's JavaScript heap is capped from the policy's max_memory_mib (the guest's linear
// memory is capped inside the sandbox by the same number, enclave/runner/run-options.ts).
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureRuntimeBundle, type Attester } from '../../enclave/index.js';

import { privateTempDir } from '../../transport/index.js';
import { ProtocolError, parsePolicy } from '../../protocol/index.js';
import type { Transport } from '../runtime/endpoint.js';
import { startEnclaveWorker, type EnclaveWorker } from '../enclave-worker/enclave-actor.js';
import type { LogFormat, LogLevel } from '../runtime/log.js';
import type { Spawner } from './host-actor.js';

/** A spawner that runs the enclave worker in this process, on the host's bus. */
export function inProcessSpawner(params: {
  bus: Transport;
  attester: Attester;
  measurement: string;
  clock?: () => Date;
  trace?: boolean;
  /** Receives every worker started, by worker id. */
  workers?: Map<string, EnclaveWorker>;
}): Spawner {
  return async (request) => {
    const worker = startEnclaveWorker({
      bus: params.bus,
      policyBytes: request.policyBytes,
      computation: request.computation,
      attester: params.attester,
      measurement: params.measurement,
      ...(params.clock ? { clock: params.clock } : {}),
      ...(params.trace === undefined ? {} : { trace: params.trace }),
    });
    const id = `w-${randomBytes(4).toString('hex')}`;
    params.workers?.set(id, worker);
    return {
      worker: id,
      exited: worker.finished.then((outcome) => (outcome.failure ? 1 : 0)),
      stop: () => worker.stop(),
    };
  };
}

export interface ProcessSpawnerOptions {
  readonly natsUrl: string;
  /** The sim platform attestation key file handed to the workers. */
  readonly simKeyFile: string;
  /** Receives the workers' stderr lines (default: this process's stderr). */
  readonly log?: (line: string) => void;
  /** Tests only: the runtime bundle the workers run (default: this checkout's, built if stale). */
  readonly runtimeBundle?: string;
  /** The workers' operator log format and level (enclave-main's --log-format, --log-level). */
  readonly logFormat?: LogFormat;
  readonly logLevel?: LogLevel;
}

/** Heap the runtime itself needs beside what the policy lets the guest hold (its buffers, uploads). */
const RUNTIME_HEAP_MIB = 256;

/** `--max-old-space-size` of a worker: the policy's memory cap plus the runtime's own allowance. */
function workerHeapMib(policyBytes: Uint8Array): number {
  try {
    return parsePolicy(policyBytes).policy.maxMemoryMib + RUNTIME_HEAP_MIB;
  } catch {
    // The worker refuses the policy at once and says why; it needs no more than the allowance.
    return RUNTIME_HEAP_MIB;
  }
}

export function processSpawner(options: ProcessSpawnerOptions): Spawner {
  return async (request) => {
    // The measured runtime bundle (built first if missing or stale), with plain node: the worker
    // executes exactly the bytes it measures.
    const runtime = options.runtimeBundle ?? (await ensureRuntimeBundle());
    const dir = privateTempDir('vc-enclave-');
    const policyFile = join(dir.path, 'policy.json');
    await writeFile(policyFile, request.policyBytes, { mode: 0o600 });
    const child = spawn(
      process.execPath,
      [
        `--max-old-space-size=${workerHeapMib(request.policyBytes)}`,
        runtime,
        '--nats',
        options.natsUrl,
        '--policy',
        policyFile,
        '--computation',
        request.computation,
        '--sim-key',
        options.simKeyFile,
        ...(options.logFormat ? ['--log-format', options.logFormat] : []),
        ...(options.logLevel ? ['--log-level', options.logLevel] : []),
      ],
      // The worker holds the read end of a pipe on stdin and exits when it closes: when this host
      // process ends, however it ends, its workers end too.
      { stdio: ['pipe', 'ignore', 'pipe'] },
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        (options.log ?? ((l) => process.stderr.write(`${l}\n`)))(line);
    });
    const exited = new Promise<number>((resolve) => {
      child.once('exit', (code, signal) => {
        dir.remove();
        resolve(code ?? (signal ? 1 : 0));
      });
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (cause) =>
        reject(
          new ProtocolError('ERR_LAUNCH_FAILED', 'cannot start the enclave process', {
            cause,
          }),
        ),
      );
    });
    return {
      worker: `pid-${child.pid}`,
      exited,
      stop: () => void child.kill('SIGTERM'),
    };
  };
}
