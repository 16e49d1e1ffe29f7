// `vc run`: Veracruz's freestanding execution engine, but enforcing rights: runs one WASI program
// (or a pipeline) in the sandbox over host directories copied into the virtual file system.
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import {
  UsageError,
  type PipelineExpr,
  type RightsTable,
  parsePipeline,
  normalizePath,
  WasiRight,
} from '../../protocol/index.js';
import {
  loadMount,
  mountRights,
  parseDirMount,
  saveMount,
  type DirMount,
  checkNativeModules,
  runPipeline,
  DEFAULT_LIMITS,
  type RunLimits,
  runProgram,
  pipelineRights,
  policyRunSettings,
  type PolicyRunSettings,
  Vfs,
} from '../../enclave/index.js';
import { parseOptions, readHostFile, type CliIo, type Command } from '../command.js';
import { checkOutputFolder, outputError } from '../support.js';

const usage = `Usage: vc run PROGRAM.wasm [OPTIONS] [-- ARGS...]
       vc run --pipeline TEXT [PROGRAM.wasm] [OPTIONS]

Runs a WASI preview 1 program in the sandbox (our WASI host over an in-memory file system, in a
worker thread, with memory, time and storage limits). vc's standard input reaches the guest as it
reads; the guest's stdout and stderr are written to vc's byte for byte, and vc exits with the
guest's exit code.

Options:
  --dir HOST_DIR::GUEST_PATH[:ro]  copy a host directory in at GUEST_PATH (read-write unless :ro);
                                   writable ones are copied back after the run (repeatable)
  --input DIR                      same as --dir DIR::/input:ro
  --output DIR                     same as --dir DIR::/output
  --env K=V                        environment variable for the guest (repeatable)
  --max-memory-mib N               cap on guest memory (default ${DEFAULT_LIMITS.maxMemoryMib}, or the policy's)
  --timeout-ms N                   wall-clock budget (default ${DEFAULT_LIMITS.timeoutMs})
  --clock                          enable the guest's clocks (off by default, as enable_clock)
  --seed N                         deterministic mode: seeded random_get, virtual clock
  --pipeline TEXT                  run a pipeline (Veracruz's language) over programs in the file system;
                                   PROGRAM.wasm, if given, is placed at /program/<name>
  --policy FILE --principal ID     take rights, enable_clock and max_memory_mib from a policy; ID is
                                   a participant id, a program file name or a pipeline name
  --strace                         print each WASI call on stderr
  --json                           print one JSON object (exitCode, stdout, stderr) at the end

Veracruz's vc-fee spellings (docs/veracruz.md):
  -i, --input-source PATH...       copy each host folder (or file) PATH in at /PATH, read-only
  -o, --output-source PATH...      grant write on /PATH, starting empty; copied back to PATH after
  -r, --pipeline TEXT              as --pipeline (the programs come from the input sources)
  -d, --dump-stdout                print the guest's stdout after the run, between
                                   "---- stdout dump ----" and "---- stdout dump end ----" lines
  -e, --dump-stderr                the same for stderr, on stderr
  -c, --enable-clock               as --clock
  -x, --execution-strategy interp|jit   accepted; the sandbox always compiles (no effect on results)
  --env K=V                        as above
-i and -o take every following word up to the next option, as vc-fee does: give PROGRAM.wasm first.`;

/** vc-fee's options taking every following word up to the next option (clap's num_args(0..)). */
const GREEDY = new Set(['-i', '--input-source', '-o', '--output-source']);

/** `-i a b -o c` as `-i a -i b -o c`: what node's parseArgs reads. */
function spreadGreedy(argv: readonly string[]): string[] {
  const out: string[] = [];
  let flag: string | undefined;
  let values = 0;
  for (const word of argv) {
    if (word.startsWith('-')) {
      flag = GREEDY.has(word) ? word : undefined;
      values = 0;
      out.push(word);
      continue;
    }
    if (flag !== undefined && values++ > 0) out.push(flag);
    out.push(word);
  }
  return out;
}

interface Parsed {
  readonly program: string | undefined;
  readonly guestArgs: string[];
  readonly mounts: DirMount[];
  readonly env: Record<string, string>;
  readonly limits: Partial<RunLimits>;
  readonly clock: boolean;
  readonly seed: number | undefined;
  readonly pipeline: string | undefined;
  readonly policy: string | undefined;
  readonly principal: string | undefined;
  readonly strace: boolean;
  readonly json: boolean;
  /** -d/-e: print the stream after the run, framed as vc-fee does, instead of as it comes. */
  readonly dumpStdout: boolean;
  readonly dumpStderr: boolean;
  /** -i/--input-source host files (not folders), loaded at /PATH. */
  readonly inputFiles: readonly { host: string; guest: string }[];
}

function integer(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^-?\d+$/.test(text) || Number(text) < min || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`--${name} wants an integer >= ${min}, got "${text}"`);
  }
  return Number(text);
}

function parse(argv: string[]): Parsed {
  const dash = argv.indexOf('--');
  const own = dash < 0 ? argv : argv.slice(0, dash);
  const guestArgs = dash < 0 ? [] : argv.slice(dash + 1);
  const { values, positionals } = parseOptions({
    args: spreadGreedy(own),
    allowPositionals: true,
    options: {
      'input-source': { type: 'string', multiple: true, short: 'i' },
      'output-source': { type: 'string', multiple: true, short: 'o' },
      'dump-stdout': { type: 'boolean', short: 'd' },
      'dump-stderr': { type: 'boolean', short: 'e' },
      'enable-clock': { type: 'boolean', short: 'c' },
      'execution-strategy': { type: 'string', short: 'x' },
      dir: { type: 'string', multiple: true },
      input: { type: 'string' },
      output: { type: 'string' },
      env: { type: 'string', multiple: true },
      'max-memory-mib': { type: 'string' },
      'timeout-ms': { type: 'string' },
      clock: { type: 'boolean' },
      seed: { type: 'string' },
      pipeline: { type: 'string', short: 'r' },
      policy: { type: 'string' },
      principal: { type: 'string' },
      strace: { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  if (positionals.length > 1)
    throw new UsageError(
      `one program expected, got ${positionals.join(' ')} (guest arguments go after --)`,
    );
  const program = positionals[0];
  if (program === undefined && values.pipeline === undefined)
    throw new UsageError('missing PROGRAM.wasm');
  if ((values.policy === undefined) !== (values.principal === undefined))
    throw new UsageError('--policy and --principal go together');
  const strategy = values['execution-strategy'];
  if (strategy !== undefined && !['interp', 'jit'].includes(strategy.toLowerCase()))
    throw new UsageError(`--execution-strategy is interp or jit, got "${strategy}"`);
  const mounts = (values.dir ?? []).map(parseDirMount);
  const inputFiles: { host: string; guest: string }[] = [];
  // vc-fee: a source PATH is /PATH inside (Path::new("/").join(PATH)).
  for (const host of values['input-source'] ?? []) {
    const guestPath = sourcePath(host, '--input-source');
    if (isHostFile(host)) inputFiles.push({ host, guest: guestPath });
    mounts.push({ hostDir: host, guestPath, readOnly: true, copyIn: !isHostFile(host) });
  }
  for (const host of values['output-source'] ?? [])
    mounts.push({
      hostDir: host,
      guestPath: sourcePath(host, '--output-source'),
      readOnly: false,
      copyIn: false,
    });
  if (values.input !== undefined)
    mounts.push({ hostDir: values.input, guestPath: '/input', readOnly: true });
  if (values.output !== undefined)
    mounts.push({ hostDir: values.output, guestPath: '/output', readOnly: false });
  const env: Record<string, string> = {};
  for (const pair of values.env ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--env wants K=V, got "${pair}"`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const maxMemoryMib = integer('max-memory-mib', values['max-memory-mib'], 1);
  const timeoutMs = integer('timeout-ms', values['timeout-ms'], 1);
  return {
    program,
    guestArgs,
    mounts,
    env,
    limits: {
      ...(maxMemoryMib === undefined ? {} : { maxMemoryMib }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    },
    clock: (values.clock ?? false) || (values['enable-clock'] ?? false),
    seed: integer('seed', values.seed, 0),
    pipeline: values.pipeline,
    policy: values.policy,
    principal: values.principal,
    strace: values.strace ?? false,
    json: values.json ?? false,
    dumpStdout: values['dump-stdout'] ?? false,
    dumpStderr: values['dump-stderr'] ?? false,
    inputFiles,
  };
}

/** `io.stdin()`, opened only when first read, one iterator for every reader. */
function sharedInput(io: CliIo): AsyncIterable<Uint8Array> {
  let iterator: AsyncIterator<Uint8Array> | undefined;
  return { [Symbol.asyncIterator]: () => (iterator ??= io.stdin()[Symbol.asyncIterator]()) };
}

function sourcePath(host: string, flag: string): string {
  if (host === '') throw new UsageError(`${flag} wants a path`);
  try {
    return normalizePath(`/${host}`);
  } catch (error) {
    throw new UsageError(`${flag} ${host}: ${(error as Error).message}`);
  }
}

function isHostFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false; // a missing input source is refused when its folder is loaded
  }
}

/**
 * Without a policy, any program in the file system may run, with the mounts' rights. With one,
 * the principal is the caller (it needs x on each program) and the steps run with the rights of
 * the policy's pipeline of the same text or name.
 */
function pipelinePlan(
  text: string,
  settings: PolicyRunSettings | undefined,
  mountRights: RightsTable,
): { expr: PipelineExpr; callerRights: RightsTable; executionRights: RightsTable } {
  if (!settings) {
    const anywhere = [{ path: '/', rights: WasiRight.FD_EXECUTE }];
    return { expr: parsePipeline(text), callerRights: anywhere, executionRights: mountRights };
  }
  const { expr, rights } = pipelineRights(settings.policy, text);
  return { expr, callerRights: settings.rights, executionRights: rights };
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parse(argv);
  const settings =
    args.policy !== undefined && args.principal !== undefined
      ? await policyRunSettings(args.policy, args.principal)
      : undefined;
  // Folders the run copies back to must be writable: said now, not after the guest has run.
  for (const mount of args.mounts) if (!mount.readOnly) await checkOutputFolder(mount.hostDir);
  const vfs = new Vfs(
    settings?.quotaBytes === undefined ? {} : { quotaBytes: settings.quotaBytes },
  );
  for (const mount of args.mounts)
    if (!args.inputFiles.some((f) => f.guest === mount.guestPath)) loadMount(vfs, mount);
  for (const file of args.inputFiles) vfs.writeUnchecked(file.guest, await readHostFile(file.host));
  const rights: RightsTable = settings?.rights ?? mountRights(args.mounts);
  const seed = args.seed ?? settings?.seed;
  // Native modules come with a policy (docs/policy.md#native-modules); refused here as at launch.
  if (settings) checkNativeModules(settings.policy);
  const common = {
    vfs,
    ...(settings ? { nativeModules: settings.policy.nativeModules } : {}),
    args: args.guestArgs,
    env: args.env,
    limits: { ...settings?.limits, ...args.limits },
    clock: args.clock || (settings?.clock ?? false),
    ...(seed === undefined ? {} : { seed }),
    ...(args.json || args.dumpStdout ? {} : { onStdout: (b: Uint8Array) => io.outBytes(b) }),
    ...(args.json || args.dumpStderr ? {} : { onStderr: (b: Uint8Array) => io.errBytes(b) }),
    ...(args.strace ? { trace: (line: string) => io.err(`[wasi] ${line}`) } : {}),
    // The host's stdin reaches the guest as it reads, never read ahead of it; the steps of a
    // pipeline read on from where the one before stopped (one iterator, made on first read).
    stdinStream: sharedInput(io),
  };
  let exitCode: number;
  let stdout: Uint8Array[] = [];
  let stderr: Uint8Array[] = [];
  {
    if (args.pipeline !== undefined) {
      const plan = pipelinePlan(args.pipeline, settings, rights);
      if (args.program !== undefined)
        vfs.writeUnchecked(`/program/${basename(args.program)}`, await readHostFile(args.program));
      const result = await runPipeline(plan.expr, { ...common, ...plan });
      exitCode = result.exitCode;
      stdout = result.steps.map((s) => s.result.stdout);
      stderr = result.steps.map((s) => s.result.stderr);
    } else {
      const program = await readHostFile(args.program as string);
      const result = await runProgram({
        ...common,
        program,
        rights,
        programName: basename(args.program as string),
      });
      exitCode = result.exitCode;
      stdout = [result.stdout];
      stderr = [result.stderr];
    }
  }
  for (const mount of args.mounts) {
    if (mount.readOnly) continue;
    try {
      saveMount(vfs, mount);
    } catch (error) {
      throw outputError(mount.hostDir, error);
    }
  }
  const text = (chunks: Uint8Array[]): string =>
    chunks.map((c) => new TextDecoder().decode(c)).join('');
  if (args.json) {
    io.out(JSON.stringify({ ok: true, exitCode, stdout: text(stdout), stderr: text(stderr) }));
  } else {
    // vc-fee's dumps, byte for byte: the stream as it is, then the closing line.
    if (args.dumpStdout)
      io.out(`---- stdout dump ----\n${text(stdout)}---- stdout dump end ----\n`);
    if (args.dumpStderr)
      io.err(`---- stderr dump ----\n${text(stderr)}---- stderr dump end ----\n`);
  }
  return exitCode;
}

export const command: Command = {
  name: 'run',
  usage,
  run,
};
