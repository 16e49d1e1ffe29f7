// One `vc` command as a child OS process: its output lines collected, its first stdout line
// awaited (services print one when they serve), its exit awaited, and stopped by its own pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { VcError, type WireError } from '../../protocol/index.js';
import { isInterrupting, onInterruptCleanup } from '../../transport/index.js';

const vcEntry = fileURLToPath(new URL('../../bin/vc.mjs', import.meta.url));

// Children still running when this process exits (a failed run, an interrupted test) are told to
// end with it: SIGTERM, so that each drains and removes its own private folders (every `vc`
// process bounds its drain, cli/signals.ts).
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGTERM');
});

export interface VcChild {
  readonly name: string;
  readonly pid: number;
  readonly stdout: readonly string[];
  readonly stderr: readonly string[];
  /** Resolves with the exit code (1 when killed by a signal). */
  readonly exited: Promise<number>;
  /** Resolves with the first stdout line; rejects if the process exits first or on timeout. */
  firstLine(timeoutMs: number): Promise<string>;
  stop(): Promise<void>;
}

export function spawnVc(
  name: string,
  args: readonly string[],
  options: { env?: Readonly<Record<string, string>>; log?: (line: string) => void } = {},
): VcChild {
  // Interrupted: the clean-ups are stopping the children; a new one would outlive this process.
  if (isInterrupting()) throw new VcError('ERR_INTERRUPTED', `not starting ${name}: interrupted`);
  const child = spawn(process.execPath, [vcEntry, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  running.add(child);
  const stdout: string[] = [];
  const stderr: string[] = [];
  const lineWaiters = new Set<() => void>();
  // Stopped once: a second SIGTERM would tell a draining `vc` service to exit at once (cli/signals.ts).
  let stopping: Promise<void> | undefined;
  const collect = (into: string[], stream: NodeJS.ReadableStream | null, tag: string) => {
    let partial = '';
    stream?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        into.push(line);
        options.log?.(`[${name}${tag}] ${line}`);
      }
      for (const wake of [...lineWaiters]) wake();
    });
  };
  collect(stdout, child.stdout, '');
  collect(stderr, child.stderr, ' stderr');
  // An interrupted command waits for this child to end before it exits.
  const forget = onInterruptCleanup(() => stop());
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      forget();
      for (const wake of [...lineWaiters]) wake();
      resolve(code ?? (signal ? 1 : 0));
    });
    child.once('error', () => resolve(127));
  });
  return {
    name,
    pid: child.pid ?? -1,
    stdout,
    stderr,
    exited,
    firstLine: (timeoutMs) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => done(new Error(`${name}: no output within ${timeoutMs} ms`)),
          timeoutMs,
        );
        const done = (error?: Error) => {
          clearTimeout(timer);
          lineWaiters.delete(check);
          if (error) reject(error);
          else resolve(stdout[0]!);
        };
        const check = () => {
          if (stdout.length > 0) done();
          else if (child.exitCode !== null || child.signalCode !== null)
            done(new Error(`${name} exited: ${stderr.slice(-5).join(' | ')}`));
        };
        lineWaiters.add(check);
        check();
      }),
    stop,
  };

  function stop(): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    stopping ??= (async () => {
      child.kill('SIGTERM'); // our own child, by its pid
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    })();
    return stopping;
  }
}

/** `error ERR_CODE: message` as `vc` prints refusals, from a child's stderr. */
export function refusalOf(child: VcChild): WireError | undefined {
  for (const line of [...child.stderr].reverse()) {
    const match = /^error (ERR_[A-Z0-9_]+): (.*)$/.exec(line);
    if (match) return VcError.fromWire({ code: match[1]!, message: match[2]! }).toWire();
  }
  return undefined;
}
