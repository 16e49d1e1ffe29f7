// Runs an example through the `vc run` command line (cli/main.ts) in temporary host folders:
// the run's /input files go to a folder passed as `--input`, and the files under `--output` come
// back as GuestFiles. Used by the example tests; scenarios may use it too.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { captureIo, main } from '../../cli/index.js';
import type { ExampleRun, GuestFiles } from '../examples/support/types.js';

export const runCommandPath = fileURLToPath(new URL('../../cli/commands/run.ts', import.meta.url));

/** True once `vc run` exists in this checkout. */
export const hasVcRun = (): boolean => existsSync(runCommandPath);

export interface VcRunOptions {
  readonly maxMemoryMib?: number;
  readonly seed?: number;
  readonly pipeline?: string;
  /** Extra host folder mounts: `HOST::GUEST`. */
  readonly dirs?: readonly string[];
}

export interface VcRunResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Every file under /output after the run, keyed by guest path. */
  readonly outputs: GuestFiles;
}

function writeTree(roots: Readonly<Record<string, string>>, files: GuestFiles): void {
  for (const [path, data] of files) {
    const prefix = Object.keys(roots).find((guest) => path.startsWith(`${guest}/`));
    const root = prefix === undefined ? undefined : roots[prefix];
    if (prefix === undefined || root === undefined)
      throw new Error(`example file ${path} is not under ${Object.keys(roots).join(' or ')}`);
    const host = join(root, path.slice(prefix.length + 1));
    mkdirSync(dirname(host), { recursive: true });
    writeFileSync(host, data);
  }
}

function readTree(root: string, guestPrefix: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const host = join(dir, name);
      if (statSync(host).isDirectory()) walk(host);
      else
        out.set(`${guestPrefix}/${relative(root, host).split('\\').join('/')}`, readFileSync(host));
    }
  };
  if (existsSync(root)) walk(root);
  return out;
}

/**
 * Runs `wasmPath` on `run` with `vc run`, `run.rounds` times over the same /output folder. With
 * `options.pipeline` the program may be undefined and the programs come through `options.dirs`.
 */
export async function vcRun(
  wasmPath: string | undefined,
  run: ExampleRun,
  options: VcRunOptions = {},
): Promise<VcRunResult> {
  const work = mkdtempSync(join(tmpdir(), 'vc-example-'));
  try {
    const input = join(work, 'input');
    const output = join(work, 'output');
    mkdirSync(input);
    mkdirSync(output);
    writeTree({ '/input': input, '/output': output }, run.files);
    const argv = [
      'run',
      ...(wasmPath === undefined ? [] : [wasmPath]),
      '--input',
      input,
      '--output',
      output,
    ];
    for (const [key, value] of Object.entries(run.env ?? {})) argv.push('--env', `${key}=${value}`);
    if (options.maxMemoryMib !== undefined)
      argv.push('--max-memory-mib', String(options.maxMemoryMib));
    if (options.seed !== undefined) argv.push('--seed', String(options.seed));
    if (options.pipeline !== undefined) argv.push('--pipeline', options.pipeline);
    for (const dir of options.dirs ?? []) argv.push('--dir', dir);
    if (run.args && run.args.length > 0) argv.push('--', ...run.args);
    let exitCode = 0;
    const stdout: string[] = [];
    const stderr: string[] = [];
    for (let round = 0; round < (run.rounds ?? 1) && exitCode === 0; round++) {
      const io = captureIo();
      exitCode = await main(argv, io);
      // the guest's output, byte for byte, then vc's own lines (an error, --json's object)
      const decode = (bytes: Uint8Array): string[] =>
        bytes.length === 0 ? [] : [new TextDecoder().decode(bytes)];
      stdout.push(...decode(io.stdoutBytes()), ...io.stdout);
      stderr.push(...decode(io.stderrBytes()), ...io.stderr);
    }
    return {
      exitCode,
      stdout: stdout.join('\n'),
      stderr: stderr.join('\n'),
      outputs: readTree(output, '/output'),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
