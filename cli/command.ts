// What every `vc` subcommand looks like. Each lives in cli/commands/<name>.ts and exports `command`.
// Commands write through `CliIo` (never process.stdout directly) so tests can capture output, and
// read their options through `parseOptions` so that every bad command line is ERR_USAGE (exit 2).
import { readFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { FileNotFoundError } from '../enclave/index.js';
import { BadPathError, UsageError } from '../protocol/index.js';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** True when stdout is a terminal: progress bars and colour only then. */
  readonly isTty: boolean;
  /** Bytes to standard output exactly as given, no newline added (a guest's output in `vc run`). */
  outBytes(bytes: Uint8Array): void;
  /** Bytes to standard error exactly as given. */
  errBytes(bytes: Uint8Array): void;
  /** Standard input, read only when asked for (a guest's stdin in `vc run`). */
  stdin(): AsyncIterable<Uint8Array>;
}

export interface Command {
  readonly name: string;
  /** Full usage text for `vc NAME --help`. */
  readonly usage: string;
  /**
   * The words after NAME that select a subcommand (`['check', 'hash']`, `['endorse add', ...]`),
   * taken from the table the command dispatches on; absent when the command has none.
   */
  readonly subcommands?: readonly string[];
  /** Returns the process exit code. Throw a VcError for refusals; main prints it. */
  run(argv: string[], io: CliIo): Promise<number>;
}

/**
 * node:util's strict `parseArgs`, with its complaints (unknown option, missing or unexpected value,
 * unexpected operand) turned into ERR_USAGE. Every command parses its options here.
 */
export function parseOptions<T extends ParseArgsConfig>(
  config: T,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    // Node's own codes for a bad command line; anything else is a bug in our option table.
    if (String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS'))
      throw new UsageError((error as Error).message);
    throw error;
  }
}

/**
 * Runs `read` on a host file a command was given (a program, evidence, a key, a journal...): a
 * missing one is ERR_FILE_NOT_FOUND and a folder ERR_BAD_PATH, both naming the path, rather than
 * Node's error passing as ERR_INTERNAL.
 */
export async function withHostFile<T>(
  path: string,
  read: (path: string) => Promise<T>,
): Promise<T> {
  try {
    return await read(path);
  } catch (error) {
    const code = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new FileNotFoundError(path);
    if (code === 'EISDIR') throw new BadPathError(path, 'a folder where a file is wanted');
    throw error;
  }
}

/** The bytes of a host file a command was given (see withHostFile). */
export async function readHostFile(path: string): Promise<Uint8Array> {
  return withHostFile(path, async (p) => new Uint8Array(await readFile(p)));
}

/** The UTF-8 text of a host file a command was given (see withHostFile). */
export async function readHostText(path: string): Promise<string> {
  return withHostFile(path, (p) => readFile(p, 'utf8'));
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  isTty: Boolean(process.stdout.isTTY),
  outBytes: (bytes) => process.stdout.write(bytes),
  errBytes: (bytes) => process.stderr.write(bytes),
  // process.stdin is created on first access: a command that never reads it never opens it.
  stdin: () => process.stdin,
};

/** What a captured io recorded: lines given to out/err, raw bytes given to outBytes/errBytes. */
export interface CapturedIo extends CliIo {
  readonly stdout: string[];
  readonly stderr: string[];
  /** Everything given to outBytes, joined. */
  stdoutBytes(): Uint8Array;
  /** Everything given to errBytes, joined. */
  stderrBytes(): Uint8Array;
}

/** An io that records everything, for tests; `stdin` is what the command reads as its input. */
export function captureIo(stdin: Uint8Array = new Uint8Array(0)): CapturedIo {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const outChunks: Uint8Array[] = [];
  const errChunks: Uint8Array[] = [];
  return {
    stdout,
    stderr,
    isTty: false,
    out: (text) => void stdout.push(text),
    err: (text) => void stderr.push(text),
    outBytes: (bytes) => void outChunks.push(bytes.slice()),
    errBytes: (bytes) => void errChunks.push(bytes.slice()),
    stdoutBytes: () => new Uint8Array(Buffer.concat(outChunks)),
    stderrBytes: () => new Uint8Array(Buffer.concat(errChunks)),
    stdin: async function* () {
      if (stdin.length > 0) yield stdin.slice();
    },
  };
}
