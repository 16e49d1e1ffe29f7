#!/usr/bin/env node
// The `vc` command. It runs the prebuilt bundles of dist/cli/ (built at install time with the
// enclave runtime: scripts/build.ts, cli/bundle.ts) while they are fresh, i.e. not older than any
// file they were built from: command-NAME.mjs for `vc NAME ...`, main.mjs for anything else
// (`vc --help`, `vc --version`). Otherwise (missing, or a source edited since) it runs the sources
// through tsx, so a fresh clone needs no build step and an edited source is never run stale.
// VC_CLI_BUNDLE_DIR names another folder of bundles; with VC_DEBUG set, what ran goes to stderr.
// The process ends when the command has returned or thrown, even if a library left a timer or a
// socket open: standard output and error are flushed first, then the process exits.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// A reader that stops early (`vc watch --json | head`) closes the pipe: stop quietly, as
// line-oriented tools do, rather than die on the unhandled EPIPE.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });

const argv = process.argv.slice(2);
const root = fileURLToPath(new URL('../', import.meta.url));
const bundles = process.env.VC_CLI_BUNDLE_DIR ?? join(root, 'dist', 'cli');

/** The prebuilt bundle for this command line when the bundles are there and fresh. */
async function prebuilt() {
  const fresh = join(bundles, 'fresh.mjs');
  if (!existsSync(fresh)) return undefined;
  if (!(await (await import(fresh)).isFresh(root, fresh))) return undefined;
  const name = argv[0] ?? '';
  const command = join(bundles, `command-${name}.mjs`);
  return /^[a-z][a-z-]*$/.test(name) && existsSync(command) ? command : join(bundles, 'main.mjs');
}

const bundle = await prebuilt();
if (process.env.VC_DEBUG)
  process.stderr.write(`vc: running ${bundle ?? 'the sources through tsx'}\n`);
let main;
if (bundle) ({ main } = await import(bundle));
else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../cli/index.ts'));
}
const code = await main(argv);
const drained = (stream) =>
  new Promise((resolve) => (stream.writableLength === 0 ? resolve() : stream.write('', resolve)));
await Promise.all([drained(process.stdout), drained(process.stderr)]);
process.exit(code);
