// Small pieces the protocol's commands share (vc host, verifier, launch, client, replay), and the
// checks every command runs on its files before it does anything else (no network, no work): each
// input exists and is readable, each output can be written (and, where a command never overwrites,
// does not exist yet).
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  createOperatorLog,
  LOG_FORMATS,
  LOG_LEVELS,
  type LogFormat,
  type LogLevel,
  type OperatorLog,
} from '../actors/index.js';
import { FileNotFoundError } from '../enclave/index.js';
import { BadPathError, UsageError, VcError, isPseudoFile } from '../protocol/index.js';

/** The services' `--log-format` and `--log-level` options (parseOptions table entries). */
export const LOG_OPTIONS = {
  'log-format': { type: 'string' },
  'log-level': { type: 'string' },
} as const;

export const LOG_USAGE = `  --log-format F   operator log on stderr: pretty (default, for a terminal) or json (one object a line)
  --log-level L    ${LOG_LEVELS.join(', ')} (default info)`;

/** The service's operator log, from --log-format and --log-level (ERR_USAGE for unknown values). */
export function operatorLogFrom(
  name: string,
  values: { 'log-format'?: string | undefined; 'log-level'?: string | undefined },
): { log: OperatorLog; format: LogFormat; level: LogLevel } {
  const format = LOG_FORMATS.find((f) => f === (values['log-format'] ?? 'pretty'));
  const level = LOG_LEVELS.find((l) => l === (values['log-level'] ?? 'info'));
  if (!format)
    throw new UsageError(
      `--log-format expects ${LOG_FORMATS.join(' or ')}, got "${values['log-format']}"`,
    );
  if (!level)
    throw new UsageError(
      `--log-level expects one of ${LOG_LEVELS.join(', ')}, got "${values['log-level']}"`,
    );
  return { log: createOperatorLog({ name, format, level }), format, level };
}

/** `--timeout SECONDS` in milliseconds (undefined when absent); ERR_USAGE unless a positive number. */
export function parseTimeoutSeconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new UsageError(`--timeout expects a positive number of seconds, got "${value}"`);
  return Math.round(seconds * 1000);
}

/**
 * Runs `work` within `timeoutMs` (unbounded when undefined): past it, ERR_TIMEOUT naming the bound.
 * What `work` leaves running ends with the process (bin/vc.mjs exits once the command returned).
 */
export async function withDeadline<T>(
  timeoutMs: number | undefined,
  work: () => Promise<T>,
): Promise<T> {
  if (timeoutMs === undefined) return work();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new VcError('ERR_TIMEOUT', `not finished within --timeout ${timeoutMs / 1000} s`, {
            details: { timeoutMs },
          }),
        ),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([work(), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Veracruz's `[PATH=]FILE[,[PATH=]FILE...]` (its parse_renamable_paths, shared by vc-client and
 * vc-pgen): PATH is inside the enclave and FILE on this machine; a bare FILE is its own PATH; PATH
 * gets a leading / unless it is stdin, stdout or stderr (Veracruz's enforce_leading_slash). An
 * empty PATH or FILE is ERR_USAGE.
 */
export function renamablePaths(spec: string, flag: string): { path: string; file: string }[] {
  return spec.split(',').map((item) => {
    const at = item.indexOf('=');
    const [name, file] = at < 0 ? [item, item] : [item.slice(0, at), item.slice(at + 1)];
    if (name === '' || file === '')
      throw new UsageError(`${flag} expects [PATH=]FILE[,...], got "${spec}"`);
    return { path: name.startsWith('/') || isPseudoFile(name) ? name : `/${name}`, file };
  });
}

/** A one-line progress bar (`[#####.....]  50% /input/big.dat 50.0/100.0 MiB`). */
export function progressBar(path: string, sent: number, total: number, width = 30): string {
  const fraction = total === 0 ? 1 : sent / total;
  const filled = Math.round(fraction * width);
  const mib = (n: number) => (n / 2 ** 20).toFixed(1);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}% ${path} ${mib(sent)}/${mib(total)} MiB`;
}

/** Each file exists, is a file and is readable: ERR_FILE_NOT_FOUND or ERR_BAD_PATH naming it. */
export async function checkInputFiles(paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch {
      throw new FileNotFoundError(path);
    }
    if (info.isDirectory()) throw new BadPathError(path, 'a folder where a file is wanted');
    try {
      await access(path, constants.R_OK);
    } catch {
      throw new FileNotFoundError(path);
    }
  }
}

/**
 * An output file can be written: its folder exists and is writable (ERR_OUTPUT_UNWRITABLE), the
 * path is not a folder, and with `overwrite: false` it does not exist yet (ERR_OUTPUT_EXISTS).
 */
export async function checkOutputFile(
  path: string,
  options: { readonly overwrite: boolean },
): Promise<void> {
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) throw unwritable(path, 'it is a folder');
  if (existing && !options.overwrite) throw outputExists(path);
  await checkWritableFolder(dirname(resolve(path)), path, false);
}

/**
 * An output folder can be made or written to: the nearest folder that exists on its path is a
 * folder and writable (commands create the rest). `files` named inside it must not exist yet.
 */
export async function checkOutputFolder(dir: string, files: readonly string[] = []): Promise<void> {
  await checkWritableFolder(resolve(dir), dir, true);
  for (const file of files) {
    const path = resolve(dir, file);
    if (await stat(path).catch(() => undefined)) throw outputExists(path);
  }
}

async function checkWritableFolder(folder: string, named: string, create: boolean): Promise<void> {
  let at = folder;
  for (;;) {
    const info = await stat(at).catch((error: NodeJS.ErrnoException) => error);
    if (!(info instanceof Error)) {
      if (!info.isDirectory()) throw unwritable(named, `${at} is not a folder`);
      break;
    }
    if (info.code === 'ENOTDIR') throw unwritable(named, `a part of ${at} is a file, not a folder`);
    if (info.code !== 'ENOENT' || !create || dirname(at) === at)
      throw unwritable(named, `no folder ${at}`);
    at = dirname(at);
  }
  try {
    await access(at, constants.W_OK);
  } catch {
    throw unwritable(named, `no permission to write in ${at}`);
  }
}

/** A write that failed after the checks (a race, a read-only file system) as the same codes. */
export function outputError(path: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EEXIST') return outputExists(path);
  if (code && ['ENOENT', 'ENOTDIR', 'EACCES', 'EPERM', 'EROFS', 'EISDIR'].includes(code))
    return unwritable(path, code);
  return error;
}

function outputExists(path: string): VcError {
  return new VcError('ERR_OUTPUT_EXISTS', `${path} exists and is never overwritten`, {
    details: { path },
  });
}

function unwritable(path: string, reason: string): VcError {
  return new VcError('ERR_OUTPUT_UNWRITABLE', `cannot write ${path}: ${reason}`, {
    details: { path, reason },
  });
}
