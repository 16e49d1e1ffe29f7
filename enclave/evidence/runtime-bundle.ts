// The enclave runtime as one artefact: the enclave worker process's entry
// (actors/enclave-worker/enclave-main.ts) and everything it imports, its dependencies and the
// sandbox workers' own bundles, built by esbuild into dist/enclave-runtime.mjs. That file is what
// an enclave worker process executes (with plain `node`) and what the measurement hashes
// (measurement.ts, docs/attestation.md).
//
// Deterministic: esbuild writes no timestamps; every path in the output is relative to the root of
// the sources and symbolic links keep their names (a linked node_modules gives the same text as a
// real one); no source map. Built by `npm ci` (the root `prepare` script) and `npm run build`, and
// on demand when it is missing or older than one of its inputs.
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import {
  SANDBOX_WORKER_ENTRIES,
  bundleSandboxWorker,
  type SandboxWorkerName,
} from '../runner/worker-bundle.js';
import { EvidenceError } from './errors.js';

/** The enclave worker process's entry, relative to the root of the sources. */
const RUNTIME_ENTRY = 'actors/enclave-worker/enclave-main.ts';
/** Where the bundle is written, relative to the root of the sources. */
const RUNTIME_BUNDLE_PATH = 'dist/enclave-runtime.mjs';
/** The bundle's inputs (for the staleness check; not measured), beside the bundle. */
const INPUTS_SUFFIX = '.inputs.json';
/** The Node major version the bundle is built for, stated in the measured manifest. */
export const RUNTIME_NODE_MAJOR = 20;

/**
 * Left out of the bundle, loaded from node_modules when used: esbuild (a native binary; the bundle
 * never builds, its sandbox workers are bundled in) and jco's transpiler (it loads its own
 * WebAssembly files beside its sources), imported only when a component is provisioned.
 */
const EXTERNAL_PACKAGES = ['esbuild', '@bytecodealliance/jco-transpile'];

/**
 * Optional native accelerators of msgpackr and cbor-x: compiled code outside any measurement, so
 * the bundle replaces them with a module that throws, and both libraries use their JavaScript
 * decoders (their loaders catch the error).
 */
const LEFT_OUT_NATIVE = /^(msgpackr-extract|cbor-extract)$/;

const DEFAULT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The default bundle of this checkout. */
function defaultRuntimeBundle(): string {
  return join(DEFAULT_ROOT, RUNTIME_BUNDLE_PATH);
}

/**
 * The esbuild plugin that replaces enclave/runner/bundled-workers.ts with the sandbox workers'
 * bundles, built from the sources under `root`, and `measured` as MEASURED_RUNTIME (true only for
 * the enclave runtime); with the files those bundles were built from.
 */
export async function bundledWorkersPlugin(
  root: string,
  measured: boolean,
): Promise<{ plugin: Plugin; inputs: string[] }> {
  const workers = {} as Record<SandboxWorkerName, string>;
  const inputs: string[] = [];
  for (const name of Object.keys(SANDBOX_WORKER_ENTRIES) as SandboxWorkerName[]) {
    const worker = await bundleSandboxWorker(name, root);
    workers[name] = worker.text;
    inputs.push(...worker.inputs);
  }
  const contents =
    `export const BUNDLED_WORKER_SOURCES = ${JSON.stringify(workers)};\n` +
    `export const MEASURED_RUNTIME = ${measured};\n`;
  return {
    plugin: {
      name: 'vc-bundled-workers',
      setup(build) {
        build.onLoad({ filter: /[\\/]enclave[\\/]runner[\\/]bundled-workers\.ts$/ }, () => ({
          contents,
          loader: 'js',
        }));
      },
    },
    inputs,
  };
}

/** The measured runtime leaves the native accelerators out (LEFT_OUT_NATIVE). */
const leftOutNative: Plugin = {
  name: 'vc-left-out-native',
  setup(build) {
    build.onResolve({ filter: LEFT_OUT_NATIVE }, (args) => ({
      path: args.path,
      namespace: 'vc-left-out',
    }));
    build.onLoad({ filter: /.*/, namespace: 'vc-left-out' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`${args.path} is not part of the measured enclave runtime`)});\n`,
      loader: 'js',
    }));
  },
};

/** Files among esbuild's inputs (not the plugin's generated modules, named `namespace:path`). */
function sourceInputs(inputs: readonly string[]): string[] {
  return inputs.filter((path) => !path.includes(':'));
}

/**
 * The banner of a Node ESM bundle: CommonJS dependencies call `require` for Node's built-in modules.
 */
export const NODE_ESM_BANNER =
  "import { createRequire as vcCreateRequire } from 'node:module';\nconst require = vcCreateRequire(import.meta.url);";

/**
 * Writes the list of files a bundle `bundle` was built from (esbuild's metafile inputs, relative to
 * the root of the sources), beside it, for `isBundleStale`. Written before the bundle itself, so a
 * bundle never sits beside an older list.
 */
export async function writeBundleInputs(
  bundle: string,
  esbuildInputs: readonly string[],
): Promise<void> {
  const inputs = [
    ...new Set([
      ...sourceInputs(esbuildInputs),
      // esbuild also reads the compiler options of tsconfig.json.
      'tsconfig.json',
      'package.json',
      'package-lock.json',
    ]),
  ].sort();
  await mkdir(dirname(bundle), { recursive: true });
  const temporary = `${bundle}.${process.pid}-${randomBytes(4).toString('hex')}${INPUTS_SUFFIX}`;
  await writeFile(temporary, `${JSON.stringify(inputs, null, 1)}\n`);
  await rename(temporary, `${bundle}${INPUTS_SUFFIX}`);
}

/**
 * Builds the runtime bundle from the sources under `root` into `outFile` (default
 * `<root>/dist/enclave-runtime.mjs`) and returns its path. The file is replaced atomically, so
 * processes building at the same time each leave a whole bundle (the same bytes).
 */
export async function buildRuntimeBundle(
  params: { root?: string; outFile?: string } = {},
): Promise<string> {
  const root = params.root ?? DEFAULT_ROOT;
  const outFile = params.outFile ?? join(root, RUNTIME_BUNDLE_PATH);
  try {
    const { build } = await import('esbuild');
    const workers = await bundledWorkersPlugin(root, true);
    const result = await build({
      absWorkingDir: root,
      entryPoints: [RUNTIME_ENTRY],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: `node${RUNTIME_NODE_MAJOR}`,
      preserveSymlinks: true,
      external: EXTERNAL_PACKAGES,
      banner: { js: NODE_ESM_BANNER },
      plugins: [workers.plugin, leftOutNative],
      metafile: true,
      write: false,
      logLevel: 'silent',
    });
    const file = result.outputFiles[0];
    if (!file) throw new Error('esbuild produced no output');
    await writeBundleInputs(outFile, [...Object.keys(result.metafile.inputs), ...workers.inputs]);
    const temporary = `${outFile}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temporary, file.contents);
    await rename(temporary, outFile);
    return outFile;
  } catch (error) {
    throw new EvidenceError(
      'ERR_RUNTIME_BUNDLE',
      `cannot build the enclave runtime bundle: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

/**
 * The modification time of `path` in nanoseconds, or undefined when it is missing. Sync and
 * with bigint times and no Date objects: the CLI asks for about a thousand files on each start,
 * where promises and Stats objects cost more than the system calls.
 */
function modifiedAt(path: string): bigint | undefined {
  return statSync(path, { bigint: true, throwIfNoEntry: false })?.mtimeNs;
}

/**
 * Whether the bundle `bundle` (the runtime's, or the CLI's: cli/bundle.ts) is missing, or older
 * than one of the inputs it was built from (their paths relative to `root`, listed beside it by
 * `writeBundleInputs`): a missing or unreadable list, or a missing input, count as stale.
 */
export async function isBundleStale(root: string, bundle: string): Promise<boolean> {
  const built = modifiedAt(bundle);
  if (built === undefined) return true;
  let inputs: unknown;
  try {
    inputs = JSON.parse(await readFile(`${bundle}${INPUTS_SUFFIX}`, 'utf8'));
  } catch {
    return true;
  }
  if (!Array.isArray(inputs)) return true;
  return inputs.some((input) => {
    const time = modifiedAt(join(root, String(input)));
    return time === undefined || time > built;
  });
}

let ensuring: Promise<string> | undefined;

/**
 * The runtime bundle of this checkout, built first if it is missing or stale (sources changed
 * since it was built). Returns its path.
 */
export function ensureRuntimeBundle(): Promise<string> {
  // Callers in one process at the same time share one check (and build).
  ensuring ??= (async () => {
    const bundle = defaultRuntimeBundle();
    if (await isBundleStale(DEFAULT_ROOT, bundle)) await buildRuntimeBundle();
    return bundle;
  })().finally(() => {
    ensuring = undefined;
  });
  return ensuring;
}
