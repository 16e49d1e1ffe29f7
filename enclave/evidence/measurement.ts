// The runtime measurement of the `sim` platform: what `vc attest measure` prints and a policy pins.
//
// Definition (docs/attestation.md): the enclave runtime is one file, the bundle
// dist/enclave-runtime.mjs (runtime-bundle.ts) holding the enclave worker's code, its
// dependencies and the sandbox workers' code. Its manifest states the bundle's SHA-256 and the
// Node major version it runs on, like PCR0 of a Nitro image covers the image:
//
//   veracruz-ts enclave runtime manifest 1
//   node <major>
//   bundle sha256 <lowercase hex SHA-256 of the bundle's bytes>
//
// (each line ends with \n); the measurement is the SHA-256 of the manifest's bytes, lowercase hex.
// An enclave worker process running the bundle hashes its own file, the code it loaded; anything
// else (a host's in-process worker, `vc attest measure`, policy generation) hashes the bundle of
// its checkout, built first if missing or stale.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { sha256Hex } from '../../protocol/index.js';
import { MEASURED_RUNTIME } from '../runner/bundled-workers.js';
import { EvidenceError } from './errors.js';
import { RUNTIME_NODE_MAJOR, ensureRuntimeBundle } from './runtime-bundle.js';

export interface RuntimeMeasurement {
  /** Lowercase hex SHA-256 of the manifest. */
  readonly measurement: string;
  readonly manifest: string;
  /** The bundle measured. */
  readonly bundle: string;
  /** Lowercase hex SHA-256 of the bundle's bytes. */
  readonly bundleSha256: string;
}

/** The manifest of a runtime bundle whose bytes hash to `bundleSha256`. */
function runtimeManifest(bundleSha256: string): string {
  return [
    'veracruz-ts enclave runtime manifest 1',
    `node ${RUNTIME_NODE_MAJOR}`,
    `bundle sha256 ${bundleSha256}`,
    '',
  ].join('\n');
}

const runningFromBundle = MEASURED_RUNTIME;

/**
 * Measures the runtime bundle `options.bundle`; by default the bundle this process runs from, or
 * else this checkout's (built if missing or stale).
 */
export async function measureRuntime(
  options: { bundle?: string } = {},
): Promise<RuntimeMeasurement> {
  let bundle = options.bundle;
  if (bundle === undefined && runningFromBundle) {
    // The manifest states the Node major version: running on another would make it untrue.
    const major = Number(process.versions.node.split('.')[0]);
    if (major !== RUNTIME_NODE_MAJOR)
      throw new EvidenceError(
        'ERR_RUNTIME_BUNDLE',
        `the enclave runtime is built for Node ${RUNTIME_NODE_MAJOR}, not Node ${process.versions.node}`,
      );
    bundle = fileURLToPath(import.meta.url);
  }
  bundle ??= await ensureRuntimeBundle();
  let bytes: Buffer;
  try {
    bytes = await readFile(bundle);
  } catch (error) {
    throw new EvidenceError('ERR_RUNTIME_BUNDLE', `cannot read the enclave runtime bundle`, {
      cause: error,
    });
  }
  const bundleSha256 = sha256Hex(bytes);
  const manifest = runtimeManifest(bundleSha256);
  return { measurement: sha256Hex(manifest), manifest, bundle, bundleSha256 };
}
