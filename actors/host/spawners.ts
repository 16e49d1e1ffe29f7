// How a host starts enclave workers: in this process (execution still in worker threads), or on NATS
// each worker as its own OS process running the enclave runtime bundle (dist/enclave-runtime.mjs,
// built from actors/enclave-worker/enclave-main.ts), started ahead of its launch (a spare) and handed
// the launch on its stdin, the policy travelling in a private temporary file.
// A worker process's JavaScript heap is capped from the policy's max_memory_mib (the guest's linear
// memory is capped inside the sandbox by the same number, enclave/runner/run-options.ts).
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureRuntimeBundle, type Attester } from '../../enclave/index.js';

import {
  NATS_SETTINGS_ENV,
  privateTempDir,
  type NatsConnectionSettings,
} from '../../transport/index.js';
import { DEFAULT_MAX_MEMORY_MIB, ProtocolError, parsePolicy } from '../../protocol/index.js';
import type { Transport } from '../runtime/endpoint.js';
import { startEnclaveWorker, type EnclaveWorker } from '../enclave-worker/enclave-actor.js';
import type { LogFormat, LogLevel } from '../runtime/log.js';
import type { Spawner } from './host-actor.js';

/**
 * A spawner that runs the enclave worker in this process, on the host's bus, or with `connect` on
 * a connection of its own (NATS: as a worker process would, with the enclave worker's credentials).
 */
export function inProcessSpawner(params: {
  bus: Transport;
  connect?: () => Promise<Transport>;
  attester: Attester;
  measurement: string;
  clock?: () => Date;
  trace?: boolean;
  /** Receives every worker started, by worker id. */
  workers?: Map<string, EnclaveWorker>;
}): Spawner {
  return async (request) => {
    const own = params.connect ? await params.connect() : undefined;
    const worker = startEnclaveWorker({
      bus: own ?? params.bus,
      policyBytes: request.policyBytes,
      computation: request.computation,
      attester: params.attester,
      measurement: params.measurement,
      ...(params.clock ? { clock: params.clock } : {}),
      ...(params.trace === undefined ? {} : { trace: params.trace }),
    });
    const id = `w-${randomBytes(4).toString('hex')}`;
    params.workers?.set(id, worker);
    if (own) void worker.finished.then(() => own.close().catch(() => undefined));
    return {
      worker: id,
      exited: worker.finished.then((outcome) => (outcome.failure ? 1 : 0)),
      stop: () => worker.stop(),
    };
  };
}

export interface ProcessSpawnerOptions {
  /** How the workers connect: URLs, TLS, the enclave worker's credentials, the namespace. */
  readonly nats: NatsConnectionSettings;
  /** The sim platform attestation key file handed to the workers. */
  readonly simKeyFile: string;
  /** Receives the workers' stderr lines (default: this process's stderr). */
  readonly log?: (line: string) => void;
  /** Tests only: the runtime bundle the workers run (default: this checkout's, built if stale). */
  readonly runtimeBundle?: string;
  /** The workers' operator log format and level (enclave-main's --log-format, --log-level). */
  readonly logFormat?: LogFormat;
  readonly logLevel?: LogLevel;
  /**
   * Worker processes kept started ahead of launches (`vc host --spares`, default 1; 0: each launch
   * starts its process then). A spare serves one launch, and is replaced at once.
   */
  readonly spares?: number;
  /** Receives a line per launch: whether a spare served it. */
  readonly onLaunch?: (event: { readonly worker: string; readonly spare: boolean }) => void;
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

/** A started worker process waiting for its launch on stdin. */
interface Waiting {
  readonly child: ChildProcess;
  readonly heapMib: number;
  readonly startedAt: number;
  readonly exited: Promise<number>;
  /** Set once it exits: a dead spare is never handed a launch. */
  dead: boolean;
  /** Set once it said it is ready: a launch prefers a ready spare. */
  ready: boolean;
  /**
   * True once it said it took its launch (`launched` on its stdout), false if it exited first: a
   * spare can die between the choice and the hand-over (its exit is seen only later), and such a
   * launch goes to a fresh process instead.
   */
  readonly launched: Promise<boolean>;
}

/** The spares waiting in this process's spawners, pid to ready (tests tell them from leftovers). */
const waitingPids = new Map<number, boolean>();

/**
 * The worker processes this process keeps started ahead of launches, not yet handed one, each with
 * whether it is ready (loaded, connected, measured, keys made: it said so on its stdout).
 */
export function spareWorkers(): ReadonlyMap<number, boolean> {
  return waitingPids;
}

/** A spare that dies within this of its start is replaced only after a pause (doubling, capped). */
const SPARE_MIN_LIFE_MS = 2_000;
const SPARE_RETRY_MAX_MS = 30_000;
/** How long a spare handed a launch may take to say `launched` (it still loading counts). */
const HAND_OVER_WAIT_MS = 30_000;

/**
 * A spawner of worker processes, each running the measured runtime bundle with plain node (the
 * worker executes exactly the bytes it measures) and serving one computation. It keeps `spares`
 * processes started ahead (loaded, connected, measured, waiting on stdin): a launch hands its
 * policy and computation id to one, and starts its replacement. A spare's heap cap must equal the
 * launch's (from the policy's max_memory_mib); a launch no spare fits starts its own process, and
 * the spares are replaced by ones of its cap. `close()` ends the spares (the host's stop).
 */
export function processSpawner(options: ProcessSpawnerOptions): Spawner {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const wanted = options.spares ?? 1;
  const spares: Waiting[] = [];
  /** Spares being started: counted as spares, and ended by close() too. */
  const starting = new Set<Promise<Waiting>>();
  /** Spares of another heap cap than the last launch's, ending: close() waits for them too. */
  const retiring = new Set<Waiting>();
  let spareHeapMib = DEFAULT_MAX_MEMORY_MIB + RUNTIME_HEAP_MIB;
  let closed = false;
  let retryMs = 0;
  let retry: NodeJS.Timeout | undefined;

  const start = async (heapMib: number): Promise<Waiting> => {
    // Built first if missing or stale.
    const runtime = options.runtimeBundle ?? (await ensureRuntimeBundle());
    const child = spawn(
      process.execPath,
      [
        `--max-old-space-size=${heapMib}`,
        runtime,
        '--nats',
        options.nats.servers.join(','),
        '--sim-key',
        options.simKeyFile,
        ...(options.logFormat ? ['--log-format', options.logFormat] : []),
        ...(options.logLevel ? ['--log-level', options.logLevel] : []),
      ],
      // The worker holds the read end of a pipe on stdin: its launch arrives there, and it exits
      // when it closes: when this host process ends, however it ends, its workers end too.
      // Its stdout says `ready` once it waits for its launch.
      {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, [NATS_SETTINGS_ENV]: JSON.stringify(options.nats) },
      },
    );
    let acknowledge: (taken: boolean) => void = () => undefined;
    let stdoutText = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdoutText += chunk.toString();
      let end: number;
      while ((end = stdoutText.indexOf('\n')) >= 0) {
        const line = stdoutText.slice(0, end).trim();
        stdoutText = stdoutText.slice(end + 1);
        if (line === 'ready' && !waiting.ready) {
          waiting.ready = true;
          if (child.pid !== undefined && waitingPids.has(child.pid))
            waitingPids.set(child.pid, true);
        } else if (line === 'launched') acknowledge(true);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) log(line);
    });
    // A write to a worker that died meanwhile fails here, not as an uncaught error.
    child.stdin?.on('error', () => undefined);
    const waiting: Waiting = {
      child,
      heapMib,
      startedAt: Date.now(),
      dead: false,
      ready: false,
      exited: new Promise<number>((resolve) => {
        child.once('exit', (code, signal) => {
          waiting.dead = true;
          acknowledge(false);
          resolve(code ?? (signal ? 1 : 0));
        });
      }),
      launched: new Promise<boolean>((resolve) => (acknowledge = resolve)),
    };
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
    return waiting;
  };

  const refill = (): void => {
    if (closed || retry !== undefined || spares.length + starting.size >= wanted) return;
    const started = start(spareHeapMib);
    starting.add(started);
    started.then(
      (spare) => {
        starting.delete(started);
        if (closed) {
          spare.child.kill('SIGTERM');
          return;
        }
        spares.push(spare);
        if (spare.child.pid !== undefined) waitingPids.set(spare.child.pid, spare.ready);
        void spare.exited.then(() => {
          if (spare.child.pid !== undefined) waitingPids.delete(spare.child.pid);
          const at = spares.indexOf(spare);
          if (at < 0) return; // handed a launch: its exit is the computation's
          spares.splice(at, 1);
          // A spare that died on its own is replaced; one that keeps dying (a NATS server gone, a
          // bad key) is retried less and less often.
          const died = Date.now() - spare.startedAt < SPARE_MIN_LIFE_MS;
          retryMs = died ? Math.min(Math.max(retryMs * 2, 250), SPARE_RETRY_MAX_MS) : 0;
          later(retryMs);
        });
        refill();
      },
      () => {
        starting.delete(started);
        later(Math.min(Math.max(retryMs * 2, 250), SPARE_RETRY_MAX_MS));
      },
    );
  };
  const later = (ms: number): void => {
    if (closed) return;
    if (ms === 0) return refill();
    retryMs = ms;
    retry ??= setTimeout(() => {
      retry = undefined;
      refill();
    }, ms);
    retry.unref();
  };

  /** Processes chosen for a launch and not yet handed over: close() ends them too. */
  const handingOver = new Set<Waiting>();
  /**
   * Whether a spare takes the launch written to it: false if it exits first. One that neither
   * answers nor exits within HAND_OVER_WAIT_MS (a hung start) is treated as taking it, so that the
   * host holds it and its launch deadline ends it.
   */
  const takesLaunch = async (spare: Waiting): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        spare.launched,
        new Promise<boolean>((resolve) => (timer = setTimeout(resolve, HAND_OVER_WAIT_MS, true))),
      ]);
    } finally {
      clearTimeout(timer);
    }
  };

  const spawner: Spawner = async (request) => {
    const heapMib = workerHeapMib(request.policyBytes);
    const fits = (s: Waiting) => !s.dead && s.heapMib === heapMib;
    const readyAt = spares.findIndex((s) => fits(s) && s.ready);
    const at = readyAt >= 0 ? readyAt : spares.findIndex(fits);
    const fromSpare = at >= 0;
    let waiting = fromSpare ? spares.splice(at, 1)[0]! : await start(heapMib);
    handingOver.add(waiting);
    if (waiting.child.pid !== undefined) waitingPids.delete(waiting.child.pid);
    if (fromSpare) retryMs = 0;
    else if (heapMib !== spareHeapMib)
      // Later launches are likelier to need this cap: spares of the previous one make way.
      for (const old of spares.splice(0)) {
        retiring.add(old);
        void old.exited.then(() => retiring.delete(old));
        old.child.kill('SIGTERM');
      }
    spareHeapMib = heapMib;
    refill();
    // The policy travels in a private temporary file the worker's exit removes.
    const dir = privateTempDir('vc-enclave-');
    const policyFile = join(dir.path, 'policy.json');
    await writeFile(policyFile, request.policyBytes, { mode: 0o600 });
    const launchLine = `${JSON.stringify({ policy: policyFile, computation: request.computation })}\n`;
    let servedBySpare = fromSpare;
    const chosen = waiting;
    const stopped = () =>
      new ProtocolError('ERR_LAUNCH_FAILED', 'the host stopped while handing the launch over');
    try {
      if (closed) throw stopped();
      waiting.child.stdin?.write(launchLine);
      // A spare that died before taking its launch never serves it: a fresh process does. (A fresh
      // process is not awaited: it says `launched` only once loaded; its failure is the launch's.)
      if (fromSpare && !(await takesLaunch(waiting))) {
        if (closed) throw stopped();
        waiting = await start(heapMib);
        waiting.child.stdin?.write(launchLine);
        servedBySpare = false;
      }
    } catch (error) {
      // The chosen process ends with the launch (close() may have missed one started meanwhile).
      chosen.child.kill('SIGTERM');
      dir.remove();
      throw error;
    } finally {
      handingOver.delete(chosen);
    }
    const child = waiting.child;
    const exited = waiting.exited.then((code) => {
      dir.remove();
      return code;
    });
    const worker = `pid-${child.pid}`;
    options.onLaunch?.({ worker, spare: servedBySpare });
    return { worker, exited, stop: () => void child.kill('SIGTERM') };
  };
  spawner.close = async () => {
    closed = true;
    if (retry !== undefined) clearTimeout(retry);
    const late = await Promise.allSettled([...starting]);
    const ending = [
      ...spares.splice(0),
      ...retiring,
      ...handingOver,
      ...late.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])),
    ];
    for (const spare of ending) spare.child.kill('SIGTERM');
    await Promise.allSettled(ending.map((spare) => spare.exited));
  };
  refill();
  return spawner;
}
