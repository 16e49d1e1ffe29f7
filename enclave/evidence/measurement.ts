// The runtime measurement of the `sim` platform: what `vc attest measure` prints and a policy pins.
//
// Definition (docs/attestation.md): take every regular file under the enclave runtime directory
// (`enclave/`) whose name ends in .ts, .js, .mjs, .cjs or .json, excluding `*.test.ts`,
// `*.bench.ts` and anything under a directory named `guests`, `testdata`, `fixtures` or
// `node_modules`; sort by POSIX relative path (code-unit order); form the manifest
// `<sha256 hex of file bytes>  <relative path>\n` per file (sha256sum's format); the measurement is
// the SHA-256 of the manifest bytes, in lowercase hex. The files are read from disk at launch, i.e.
// the code the worker loads, not a hash baked into it.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256Hex } from '../../protocol/index.js';

const DEFAULT_RUNTIME_ROOT = fileURLToPath(new URL('../', import.meta.url));

const INCLUDED = /\.(ts|js|mjs|cjs|json)$/;
const EXCLUDED_FILES = /\.(test|bench)\.ts$/;
const EXCLUDED_DIRS = new Set(['guests', 'testdata', 'fixtures', 'node_modules']);

interface MeasuredFile {
  readonly path: string;
  readonly sha256: string;
}

export interface RuntimeMeasurement {
  /** Lowercase hex SHA-256 of the manifest. */
  readonly measurement: string;
  readonly files: readonly MeasuredFile[];
  readonly manifest: string;
}

async function listFiles(root: string, dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!EXCLUDED_DIRS.has(entry.name)) found.push(...(await listFiles(root, full)));
    } else if (entry.isFile() && INCLUDED.test(entry.name) && !EXCLUDED_FILES.test(entry.name)) {
      found.push(relative(root, full).split(sep).join('/'));
    }
  }
  return found;
}

export async function measureRuntime(
  root: string = DEFAULT_RUNTIME_ROOT,
): Promise<RuntimeMeasurement> {
  const paths = (await listFiles(root, root)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const files: MeasuredFile[] = [];
  for (const path of paths)
    files.push({ path, sha256: sha256Hex(await readFile(join(root, path))) });
  const manifest = files.map((f) => `${f.sha256}  ${f.path}\n`).join('');
  return { measurement: sha256Hex(manifest), files, manifest };
}
