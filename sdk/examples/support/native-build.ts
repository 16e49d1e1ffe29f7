// Some examples call a native module that is a host program, not WebAssembly (Veracruz's darknet and
// TensorFlow Lite inference services). Such a program is machine code for the host running it, so
// it is not committed: it is compiled here, from the source beside its example, with Debian's
// compiler and the inference library's Debian package, into a cache keyed by the source's hash,
// the compiler command and the library files it needs.
// docs/guest-programs.md#native-module-examples.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

/** How to compile one native module from its source. */
export interface NativeModuleBuild {
  /** Absolute path of the C or C++ source. */
  readonly source: string;
  readonly compiler: 'gcc' | 'g++';
  /** Compiler and linker arguments after the source (include paths, libraries, rpaths). */
  readonly args: readonly string[];
  /** Files the build needs (headers, libraries) and the Debian package that ships each. */
  readonly needs: ReadonlyArray<{ readonly path: string; readonly debianPackage: string }>;
}

/**
 * Debian's multiarch directory name for this machine's libraries (`/usr/lib/<triplet>`), from
 * Node's architecture, so that a build description needs no process to be made.
 */
export function debianMultiarch(): string {
  const triplets: Record<string, string> = {
    x64: 'x86_64-linux-gnu',
    arm64: 'aarch64-linux-gnu',
    arm: 'arm-linux-gnueabihf',
    ia32: 'i386-linux-gnu',
    ppc64: 'powerpc64le-linux-gnu',
    s390x: 's390x-linux-gnu',
    riscv64: 'riscv64-linux-gnu',
  };
  return triplets[process.arch] ?? `${process.arch}-linux-gnu`;
}

/** What this machine lacks to build `build` (a compiler or a library's files), or undefined. */
export function nativeBuildMissing(build: NativeModuleBuild): string | undefined {
  const compiler = spawnSync('sh', ['-c', `command -v ${build.compiler}`], { stdio: 'ignore' });
  if (compiler.status !== 0) return `${build.compiler} (Debian package ${build.compiler})`;
  const lacking = build.needs.filter(({ path }) => !existsSync(path));
  if (lacking.length === 0) return undefined;
  return lacking
    .map(({ path, debianPackage }) => `${path} (Debian package ${debianPackage})`)
    .join(', ');
}

/**
 * The absolute path of the compiled module, building it on first use. Throws with the compiler's
 * messages when the build fails.
 */
export function buildNativeModule(build: NativeModuleBuild): string {
  // The files it needs are named with their size and time: a library upgraded by apt (its header's
  // structures may have changed) gives a new build.
  const needed = build.needs.map(({ path }) => {
    const stat = statSync(path);
    return [path, stat.size, stat.mtimeMs];
  });
  const hash = createHash('sha256')
    .update(readFileSync(build.source))
    .update(JSON.stringify([build.compiler, build.args, needed]))
    .digest('hex')
    .slice(0, 16);
  const dir = join(tmpdir(), 'vc-native-modules');
  const binary = join(dir, `${basename(build.source).replace(/\.[^.]+$/, '')}-${hash}`);
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  // Built under a private name and renamed, so a concurrent test never runs a half-written file.
  const partial = `${binary}.${process.pid}.partial`;
  const result = spawnSync(build.compiler, ['-O2', '-o', partial, build.source, ...build.args], {
    encoding: 'utf8',
  });
  if (result.status !== 0)
    throw new Error(
      `building ${build.source} failed (${build.compiler} exit ${result.status}):\n${result.stderr}`,
    );
  renameSync(partial, binary);
  return binary;
}
