// The WebAssembly community's WASI preview 1 test suite (wasi-testsuite: 72 prebuilt programs in
// AssemblyScript, C and Rust, kept in ../shared/testdata/wasi-testsuite/) run through `vc run`, as
// the suite's own adapters run wasmtime: each test's `root` folder copied and given as `--dir
// COPY::/`, its `args` and `env`, then the exit code and the exact stdout bytes compared with its
// JSON. Every program runs with `--clock`: the suite assumes a runtime whose clocks are on, which
// `vc run` (like a Veracruz policy's enable_clock) leaves to the caller (docs/sandbox.md).
// The per-language tally is printed at the end.
import assert from 'node:assert/strict';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { captureIo } from '../command.js';
import { main } from '../main.js';
import { requireResource, sharedTestdata } from '../../test-support/requirements.js';

const suite = join(sharedTestdata, 'wasi-testsuite');
const LANGUAGES = ['assemblyscript', 'c', 'rust'] as const;

/**
 * Programs that cannot pass in a policy-enforcing sandbox by design, each argued in
 * docs/sandbox.md ("WASI conformance"); none is about rights or paths.
 */
const BY_DESIGN = new Map<string, string>();

interface Spec {
  readonly root?: string;
  readonly args?: string[];
  readonly env?: Record<string, string>;
  readonly exit_code?: number;
  readonly stdout?: string;
}

const work = mkdtempSync(join(tmpdir(), 'vc-wasi-testsuite-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** A writable copy of a test's root folder (the shared copy is read-only). */
function copyRoot(from: string, to: string): void {
  cpSync(from, to, { recursive: true, verbatimSymlinks: true });
  const stack = [to];
  for (let dir = stack.pop(); dir !== undefined; dir = stack.pop()) {
    chmodSync(dir, 0o755);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) stack.push(path);
      else if (entry.isFile()) chmodSync(path, 0o644);
    }
  }
}

async function runOne(language: string, name: string): Promise<string | undefined> {
  const dir = join(suite, language);
  const specFile = join(dir, `${name}.json`);
  const spec: Spec = existsSync(specFile)
    ? (JSON.parse(readFileSync(specFile, 'utf8')) as Spec)
    : {};
  const argv = ['run', join(dir, `${name}.wasm`), '--clock', '--timeout-ms', '30000'];
  if (spec.root !== undefined) {
    const copy = join(work, `${language}-${name}`);
    copyRoot(join(dir, spec.root), copy);
    argv.push('--dir', `${copy}::/`);
  }
  for (const [key, value] of Object.entries(spec.env ?? {})) argv.push('--env', `${key}=${value}`);
  argv.push('--', ...(spec.args ?? []));
  const io = captureIo();
  const code = await main(argv, io);
  const stdout = Buffer.from(io.stdoutBytes()).toString('utf8');
  const stderr = `${Buffer.from(io.stderrBytes()).toString('utf8')}${io.stderr.join('\n')}`;
  const expected = spec.exit_code ?? 0;
  if (code !== expected)
    return `exit code ${code}, expected ${expected}; stderr: ${stderr.slice(-600)}`;
  if (spec.stdout !== undefined && stdout !== spec.stdout)
    return `stdout ${JSON.stringify(stdout)}, expected ${JSON.stringify(spec.stdout)}`;
  return undefined;
}

test('wasi-testsuite: every preview 1 program passes through vc run', async (t) => {
  if (!requireResource(t, '../shared/testdata/wasi-testsuite', existsSync(suite))) return;
  const tally: string[] = [];
  const failures: string[] = [];
  let passed = 0;
  let total = 0;
  for (const language of LANGUAGES) {
    const names = readdirSync(join(suite, language))
      .filter((file) => file.endsWith('.wasm'))
      .map((file) => file.slice(0, -'.wasm'.length))
      .sort();
    let ok = 0;
    for (const name of names) {
      const id = `${language}/${name}`;
      const problem = await runOne(language, name);
      if (problem === undefined) ok++;
      else if (!BY_DESIGN.has(id)) failures.push(`${id}: ${problem}`);
    }
    tally.push(`${language} ${ok}/${names.length}`);
    passed += ok;
    total += names.length;
  }
  console.log(`wasi-testsuite through vc run: ${passed}/${total} (${tally.join(', ')})`);
  t.diagnostic(`wasi-testsuite: ${passed}/${total} (${tally.join(', ')})`);
  assert.equal(total, 72, 'the suite has 72 preview 1 programs');
  assert.deepEqual(failures, []);
  assert.equal(passed, total - BY_DESIGN.size);
});
