// The worker's code, bundled once per process into one CommonJS script. Starting a worker from
// this text takes a few milliseconds, where letting tsx compile the TypeScript sources in every
// new worker costs over a second; execution start latency is one of the sandbox's targets.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const entry = fileURLToPath(new URL('./worker-main.ts', import.meta.url));
let cached: Promise<string> | undefined;

export function workerSource(): Promise<string> {
  cached ??= build({
    entryPoints: [entry],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  }).then((result) => {
    const file = result.outputFiles[0];
    if (!file) throw new Error('esbuild produced no worker bundle');
    return file.text;
  });
  return cached;
}
