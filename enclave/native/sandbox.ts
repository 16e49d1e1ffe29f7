// The native sandbox: dynamic and provisioned native modules run as native processes under Debian's
// bubblewrap (`bwrap`), the analogue of Veracruz's Sandbox2 sandboxer. The process sees a fresh
// root holding the host's /usr (programs and shared libraries, read-only) and a copy of the files
// its principal may read; it has no network (its own empty network namespace), no other host
// files (but Debian's /etc/alternatives, read-only, through which /usr links libraries such as
// BLAS and LAPACK), no capabilities, and runs under limits: address space (the policy's
// max_memory_mib), file size, CPU time and wall-clock time. Afterwards new and changed files are
// copied back into the enclave's file system under the principal's rights (a file it may not write
// is dropped, as in Veracruz). docs/sandbox.md#native-modules.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  closeSync,
  constants,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { NativeModuleStoppedError, NativeModuleUnknownError } from './errors.js';

const TIME = '/usr/bin/time';
const PRLIMIT = '/usr/bin/prlimit';
/**
 * Debian's alternatives: links under /usr (libblas.so.3, liblapack.so.3, ...) point into it, so a
 * program linking such a library cannot start without it. It holds only links naming the host's
 * choice of implementation. Mounted read-only at the same path.
 */
const ALTERNATIVES = '/etc/alternatives';
/** Paths the sandbox itself mounts: a file system entry at or below one cannot be given to it. */
const RESERVED = [
  ...['usr', 'bin', 'lib', 'lib32', 'lib64', 'sbin', 'proc', 'dev'].map((top) => `/${top}`),
  ALTERNATIVES,
];
/** Veracruz's name for the request of a dynamic module inside its sandbox. */
const EXECUTION_CONFIGURATION = '/execution_config';
/** A failed module whose peak resident size reached this share of its cap failed at the cap. */
const MEMORY_FAILURE_SHARE = 0.5;
/** stdout and stderr together held from one native process; past it the process is stopped. */
const MAX_OUTPUT_BYTES = 64 * 2 ** 20;

/** `bwrap` on PATH, or undefined. */
function findBwrap(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'bwrap');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** What the platform lacks for the native sandbox (bwrap on PATH, prlimit, GNU time), if anything. */
export function missingSandboxTool(): string | undefined {
  if (findBwrap() === undefined) return 'bwrap (bubblewrap) on PATH';
  for (const tool of [PRLIMIT, TIME]) {
    try {
      accessSync(tool, constants.X_OK);
    } catch {
      return tool;
    }
  }
  return undefined;
}

/** One file or directory of the principal's readable view, by absolute enclave path. */
export interface NativeEntry {
  readonly path: string;
  readonly kind: 'file' | 'dir';
  readonly data?: Uint8Array;
}

interface NativeLimits {
  readonly memoryMib: number;
  readonly timeoutMs: number;
  /** Largest file the process may write (RLIMIT_FSIZE). */
  readonly fileBytes: number;
}

export interface NativeRun {
  /** The module's name, for messages. */
  readonly name: string;
  /** A host path (dynamic module) or the binary's bytes and enclave path (provisioned). */
  readonly entry:
    | { readonly kind: 'host'; readonly path: string }
    | { readonly kind: 'provisioned'; readonly path: string; readonly binary: Uint8Array };
  /** The principal's readable files and the directories above them. */
  readonly view: readonly NativeEntry[];
  /** The request written to the special file (dynamic modules), at /execution_config. */
  readonly request?: Uint8Array;
  readonly limits: NativeLimits;
}

export interface NativeOutcome {
  readonly exitCode: number;
  readonly stdout: Uint8Array;
  readonly stderr: Uint8Array;
  /** Files new or changed in the sandbox, by enclave path, to copy back under the rights. */
  readonly changed: ReadonlyArray<{ readonly path: string; readonly data: Uint8Array }>;
}

interface Prepared {
  readonly scratch: string;
  readonly root: string;
  readonly rusage: string;
  readonly command: string;
  readonly args: string[];
  readonly before: ReadonlyMap<string, Uint8Array>;
  readonly skip: ReadonlySet<string>;
}

const segmentsOf = (path: string): string[] => path.split('/').filter((s) => s !== '');

function prepare(run: NativeRun): Prepared {
  const bwrap = findBwrap();
  if (bwrap === undefined) throw new NativeModuleUnknownError(run.name, 'bwrap is not on PATH');
  const scratch = mkdtempSync(join(tmpdir(), 'vc-native-'));
  try {
    chmodSync(scratch, 0o700);
    const root = join(scratch, 'root');
    mkdirSync(root);
    const before = new Map<string, Uint8Array>();
    for (const entry of run.view) {
      const parts = segmentsOf(entry.path);
      if (parts.length === 0) continue;
      const path = `/${parts.join('/')}`;
      const reserved = RESERVED.find((r) => path === r || path.startsWith(`${r}/`));
      if (reserved)
        throw new NativeModuleUnknownError(
          run.name,
          `the native sandbox reserves ${reserved}; ${entry.path} cannot be given to it`,
        );
      const host = join(root, ...parts);
      if (entry.kind === 'dir') mkdirSync(host, { recursive: true });
      else {
        mkdirSync(join(root, ...parts.slice(0, -1)), { recursive: true });
        writeFileSync(host, entry.data ?? new Uint8Array(0));
        before.set(`/${parts.join('/')}`, entry.data ?? new Uint8Array(0));
      }
    }
    const args = [
      '--unshare-all',
      '--die-with-parent',
      '--new-session',
      '--cap-drop',
      'ALL',
      '--uid',
      '1000',
      '--gid',
      '1000',
      '--clearenv',
      '--setenv',
      'PATH',
      '/usr/bin:/bin',
      '--ro-bind',
      '/usr',
      '/usr',
    ];
    // Debian's merged /usr: /bin, /lib, ... are links into /usr; otherwise they are mounted.
    for (const name of ['bin', 'sbin', 'lib', 'lib32', 'lib64']) {
      let link: boolean;
      try {
        link = lstatSync(`/${name}`).isSymbolicLink();
      } catch {
        continue;
      }
      if (link) args.push('--symlink', `usr/${name}`, `/${name}`);
      else args.push('--ro-bind', `/${name}`, `/${name}`);
    }
    args.push('--proc', '/proc', '--dev', '/dev');
    for (const name of readdirSync(root)) args.push('--bind', join(root, name), `/${name}`);
    args.push('--ro-bind-try', ALTERNATIVES, ALTERNATIVES);
    const skip = new Set<string>();
    let entryPath: string;
    if (run.entry.kind === 'host') {
      entryPath = run.entry.path;
      args.push('--ro-bind', entryPath, entryPath);
    } else {
      const binary = join(scratch, 'entry');
      writeFileSync(binary, run.entry.binary, { mode: 0o500 });
      entryPath = `/${segmentsOf(run.entry.path).join('/')}`;
      args.push('--ro-bind', binary, entryPath);
      skip.add(entryPath);
    }
    if (run.request !== undefined) {
      const config = join(scratch, 'execution_config');
      writeFileSync(config, run.request, { mode: 0o400 });
      args.push('--ro-bind', config, EXECUTION_CONFIGURATION);
    }
    const rusage = join(scratch, 'rusage');
    writeFileSync(rusage, '');
    const { memoryMib, timeoutMs, fileBytes } = run.limits;
    args.push(
      '--chdir',
      '/',
      '--',
      TIME,
      '-q',
      '-f',
      '%M',
      '-o',
      '/dev/fd/3',
      PRLIMIT,
      `--as=${memoryMib * 2 ** 20}`,
      `--fsize=${Math.max(0, Math.floor(fileBytes))}`,
      `--cpu=${Math.max(1, Math.ceil(timeoutMs / 1000))}`,
      '--core=0',
      '--',
      entryPath,
    );
    return { scratch, root, rusage, command: bwrap, args, before, skip };
  } catch (error) {
    rmSync(scratch, { recursive: true, force: true });
    throw error;
  }
}

/** New or changed regular files under the sandbox root; links and special files are ignored. */
function collect(prepared: Prepared): Array<{ path: string; data: Uint8Array }> {
  const changed: Array<{ path: string; data: Uint8Array }> = [];
  const stack: string[] = [''];
  for (let rel = stack.pop(); rel !== undefined; rel = stack.pop()) {
    for (const name of readdirSync(join(prepared.root, rel))) {
      const relPath = `${rel}/${name}`;
      const stat = lstatSync(join(prepared.root, relPath));
      if (stat.isDirectory()) stack.push(relPath);
      if (!stat.isFile() || prepared.skip.has(relPath)) continue;
      const data = new Uint8Array(readFileSync(join(prepared.root, relPath)));
      const old = prepared.before.get(relPath);
      if (old && Buffer.compare(Buffer.from(old), Buffer.from(data)) === 0) continue;
      changed.push({ path: relPath, data });
    }
  }
  return changed.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** The first 64 bytes of a file, as text. */
function readHead(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(64);
    return head.subarray(0, readSync(fd, head, 0, 64, 0)).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

interface Ended {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly stdout: Uint8Array;
  readonly stderr: Uint8Array;
}

function conclude(run: NativeRun, prepared: Prepared, ended: Ended): NativeOutcome {
  const { limits } = run;
  if (ended.timedOut)
    throw new NativeModuleStoppedError(
      'ERR_NATIVE_MODULE_TIMEOUT',
      run.name,
      `was killed at its time limit of ${limits.timeoutMs} ms`,
      { timeoutMs: limits.timeoutMs },
    );
  if (ended.status === null)
    throw new NativeModuleStoppedError(
      'ERR_NATIVE_MODULE_FAILED',
      run.name,
      `was killed by ${ended.signal ?? 'a signal'}`,
    );
  // GNU time exits 128 + N when the module died of signal N, and writes the peak resident size (KiB).
  const signal = ended.status > 128 ? ended.status - 128 : 0;
  // The module inherits the descriptor GNU time writes to, so only the first bytes are read.
  const peakKib = Number(readHead(prepared.rusage).trim().split('\n').pop() ?? 0);
  const SIGXCPU = 24;
  const SIGXFSZ = 25;
  if (signal === SIGXCPU)
    throw new NativeModuleStoppedError(
      'ERR_NATIVE_MODULE_TIMEOUT',
      run.name,
      `was killed at its CPU time limit (${Math.ceil(limits.timeoutMs / 1000)} s)`,
      { timeoutMs: limits.timeoutMs },
    );
  if (signal === SIGXFSZ)
    throw new NativeModuleStoppedError(
      'ERR_NATIVE_MODULE_FILE_SIZE',
      run.name,
      `wrote past its file size limit of ${limits.fileBytes} bytes`,
      { fileBytes: limits.fileBytes },
    );
  // A program linking many libraries can fail to map them at all under the address-space limit:
  // the dynamic loader's own message, before the module ran a line.
  const stderrText = new TextDecoder().decode(ended.stderr);
  const unmapped =
    ended.status === 127 &&
    /error while loading shared libraries: .*failed to map segment/.test(stderrText);
  if (unmapped)
    throw new NativeModuleStoppedError(
      'ERR_NATIVE_MODULE_MEMORY_LIMIT',
      run.name,
      `could not map its shared libraries within its memory limit of ${limits.memoryMib} MiB`,
      { memoryMib: limits.memoryMib, peakKib },
    );
  if (ended.status !== 0 && peakKib * 1024 >= limits.memoryMib * 2 ** 20 * MEMORY_FAILURE_SHARE)
    throw new NativeModuleStoppedError(
      'ERR_NATIVE_MODULE_MEMORY_LIMIT',
      run.name,
      `failed at its memory limit of ${limits.memoryMib} MiB (peak ${Math.round(peakKib / 1024)} MiB)`,
      { memoryMib: limits.memoryMib, peakKib },
    );
  if (signal !== 0)
    throw new NativeModuleStoppedError(
      'ERR_NATIVE_MODULE_FAILED',
      run.name,
      `was killed by signal ${signal}`,
      { signal },
    );
  if (ended.status === 125 || ended.status === 126 || ended.status === 127 || ended.status === 1) {
    // bwrap, GNU time and prlimit report their own failures on stderr with these codes; a module
    // that merely exits 1 is told apart by the sandbox's message.
    if (/^(bwrap|\/usr\/bin\/time|prlimit): /m.test(stderrText))
      throw new NativeModuleStoppedError(
        'ERR_NATIVE_MODULE_FAILED',
        run.name,
        `could not be started: ${stderrText.trim().split('\n')[0] ?? ''}`,
      );
  }
  return {
    exitCode: ended.status,
    stdout: ended.stdout,
    stderr: ended.stderr,
    changed: collect(prepared),
  };
}

/** Runs the module and waits, blocking the thread (a worker's guest is blocked in its write). */
export function runNativeSync(run: NativeRun): NativeOutcome {
  const prepared = prepare(run);
  const fd = openSync(prepared.rusage, 'r+');
  try {
    const result: SpawnSyncReturns<Buffer> = spawnSync(prepared.command, prepared.args, {
      stdio: ['ignore', 'pipe', 'pipe', fd],
      timeout: run.limits.timeoutMs,
      killSignal: 'SIGKILL',
      maxBuffer: MAX_OUTPUT_BYTES,
    });
    const timedOut = (result.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
    return conclude(run, prepared, {
      status: result.status,
      signal: result.signal,
      timedOut,
      stdout: new Uint8Array(result.stdout ?? []),
      stderr: new Uint8Array(result.stderr ?? []),
    });
  } finally {
    closeSync(fd);
    rmSync(prepared.scratch, { recursive: true, force: true });
  }
}

/** Runs the module without blocking the thread (a provisioned module run by the enclave). */
export async function runNative(run: NativeRun): Promise<NativeOutcome> {
  const prepared = prepare(run);
  const fd = openSync(prepared.rusage, 'r+');
  try {
    const ended = await new Promise<Ended>((resolve, reject) => {
      const child = spawn(prepared.command, prepared.args, {
        stdio: ['ignore', 'pipe', 'pipe', fd],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, run.limits.timeoutMs);
      let held = 0;
      const keep = (into: Buffer[]) => (chunk: Buffer) => {
        held += chunk.length;
        if (held > MAX_OUTPUT_BYTES) child.kill('SIGKILL');
        else into.push(chunk);
      };
      child.stdout?.on('data', keep(out));
      child.stderr?.on('data', keep(err));
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.on('close', (status, signal) => {
        clearTimeout(timer);
        resolve({
          status,
          signal,
          timedOut,
          stdout: new Uint8Array(Buffer.concat(out)),
          stderr: new Uint8Array(Buffer.concat(err)),
        });
      });
    });
    return conclude(run, prepared, ended);
  } finally {
    closeSync(fd);
    rmSync(prepared.scratch, { recursive: true, force: true });
  }
}
