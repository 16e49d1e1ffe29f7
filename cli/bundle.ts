// The `vc` command as prebuilt bundles in dist/cli/, built by esbuild at install time with the
// enclave runtime (scripts/build.ts: the root `prepare` script, and `npm run build`):
// - fresh.mjs: cli/prebuilt.ts, only the freshness check bin/vc.mjs asks first;
// - main.mjs: cli/main.ts without any command (`vc --help`, `vc --version`, an unknown command);
// - command-NAME.mjs: cli/main.ts with the one command NAME of cli/commands-table.ts (the others
//   stay outside, as files of their own), so `vc policy hash` loads neither NATS nor the sandbox;
//   the sandbox workers' own bundles are carried as text, as in the enclave runtime (but these are
//   not the measured runtime: enclave/runner/bundled-workers.ts).
// One bundle per command rather than esbuild's code splitting: every command reaches the public
// faces (index.ts) of the lower folders, so split chunks put nearly everything in one chunk that
// even `vc --help` would load. One process loads one of main.mjs and command-NAME.mjs, never both
// (each has its own copy of the shared modules).
//
// bin/vc.mjs runs the bundles only while they are fresh: fresh.mjs not older than any file they were
// built from (the runtime bundle's check, `isBundleStale`, over the union of their inputs);
// otherwise it runs the sources through tsx, so a developer editing a source never runs stale code.
//
// The sources find files beside themselves (package.json, the timeline page's script, the sandbox
// workers' and the runtime's sources) through `import.meta.url`: in the bundles, each of our
// modules' `import.meta.url` is rewritten to the URL of its source file in the checkout, so those
// reads are unchanged.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import { NODE_ESM_BANNER, bundledWorkersPlugin, writeBundleInputs } from '../enclave/index.js';
import { COMMANDS } from './commands-table.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** Where the bundles are written, relative to the root of the sources. */
const CLI_BUNDLE_DIR = 'dist/cli';
/** The bundle bin/vc.mjs asks whether the others are fresh; its inputs are listed beside it. */
const FRESHNESS_BUNDLE = 'fresh.mjs';
const commandBundle = (name: string): string => `command-${name}.mjs`;

/**
 * Left out, loaded from node_modules when used: esbuild and jco's transpiler (as in the runtime
 * bundle), tsx (which loads the TypeScript module of a scenario file with its own loader files),
 * and the optional native decoders of msgpackr and cbor-x (compiled code found beside their
 * package files).
 */
const EXTERNAL_PACKAGES = [
  'esbuild',
  'tsx',
  '@bytecodealliance/jco-transpile',
  'msgpackr-extract',
  'cbor-extract',
];

/** Each of our modules' `import.meta.url` is its source file's URL (relative to the bundle). */
function sourceUrls(root: string, outDir: string): Plugin {
  const up = relative(outDir, root).split('\\').join('/');
  return {
    name: 'vc-source-urls',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        const path = relative(root, args.path).split('\\').join('/');
        if (path.startsWith('..') || path.includes('node_modules/')) return undefined;
        const text = await readFile(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return undefined;
        const url = `new URL(${JSON.stringify(`${up}/${path}`)}, import.meta.url).href`;
        // Only in code: an occurrence inside a string literal on its line is left as it is.
        const contents = text
          .split('\n')
          .map((line) =>
            line.replace(/import\.meta\.url/g, (match, offset: number) =>
              /^[^'"`]*(?:(['"`])(?:(?!\1).)*\1[^'"`]*)*$/.test(line.slice(0, offset))
                ? url
                : match,
            ),
          )
          .join('\n');
        return { contents, loader: 'ts' };
      });
    },
  };
}

/** The commands of cli/commands-table.ts other than `kept` load their own bundles. */
function otherCommandsOutside(kept: string | undefined): Plugin {
  return {
    name: 'vc-one-command',
    setup(build) {
      build.onResolve({ filter: /^\.\/commands\/[a-z-]+\.js$/ }, (args) => {
        if (!/[\\/]cli[\\/]commands-table\.ts$/.test(args.importer)) return undefined;
        const name = args.path.slice('./commands/'.length, -'.js'.length);
        return name === kept ? undefined : { path: `./${commandBundle(name)}`, external: true };
      });
    },
  };
}

/**
 * Builds the CLI bundles from the sources under `root` (default: this checkout) into `outDir`
 * (default `<root>/dist/cli`) and returns the folder. The folder is replaced whole: built beside
 * it, then renamed into place.
 */
export async function buildCliBundle(
  params: { root?: string; outDir?: string } = {},
): Promise<string> {
  const root = params.root ?? ROOT;
  const outDir = params.outDir ?? join(root, CLI_BUNDLE_DIR);
  const building = `${outDir}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  const { build } = await import('esbuild');
  // The sandbox workers' bundles go in too (not as the measured runtime: MEASURED_RUNTIME false),
  // so `vc run` does not bundle them with esbuild on each start.
  const workers = await bundledWorkersPlugin(root, false);
  const bundle = async (entry: string, kept?: string) => {
    const result = await build({
      absWorkingDir: root,
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      preserveSymlinks: true,
      external: EXTERNAL_PACKAGES,
      banner: { js: NODE_ESM_BANNER },
      plugins: [workers.plugin, sourceUrls(root, outDir), otherCommandsOutside(kept)],
      metafile: true,
      write: false,
      logLevel: 'silent',
    });
    const file = result.outputFiles[0];
    if (!file) throw new Error(`esbuild produced no output for ${entry}`);
    return { contents: file.contents, inputs: Object.keys(result.metafile.inputs) };
  };
  try {
    const names = Object.keys(COMMANDS);
    const [fresh, main, ...commands] = await Promise.all([
      bundle('cli/prebuilt.ts'),
      bundle('cli/main.ts'),
      ...names.map((name) => bundle('cli/main.ts', name)),
    ]);
    await mkdir(building, { recursive: true });
    await writeFile(join(building, 'main.mjs'), main!.contents);
    for (const [index, name] of names.entries())
      await writeFile(join(building, commandBundle(name)), commands[index]!.contents);
    // The freshness check's bundle last: its time is the folder's.
    const inputs = [fresh!, main!, ...commands].flatMap((output) => output.inputs);
    inputs.push(...workers.inputs);
    await writeBundleInputs(join(building, FRESHNESS_BUNDLE), inputs);
    await writeFile(join(building, FRESHNESS_BUNDLE), fresh!.contents);
    const previous = `${building}.previous`;
    await rename(outDir, previous).catch(() => undefined);
    await rename(building, outDir);
    await rm(previous, { recursive: true, force: true });
    return outDir;
  } finally {
    await rm(building, { recursive: true, force: true });
  }
}
