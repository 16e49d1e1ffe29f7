// Transpiling a component with jco when its program is provisioned. The result (the generated glue
// as source text and the component's core modules) is cached by the SHA-256 of the component bytes:
// in memory, and on disk (disk-cache.ts) except in the measured enclave runtime, whose code must be
// only what it measures and which cannot trust a folder of the host. Nothing here evaluates the
// glue: that happens only inside the execution worker.
import type { transpileBytes as TranspileBytes } from '@bytecodealliance/jco-transpile';
import { sha256Hex } from '../../protocol/index.js';
import {
  ComponentImportError,
  ComponentNotCommandError,
  ComponentTranspileError,
} from './errors.js';
import { isComponent } from './detect.js';
import { SUPPORTED_INTERFACES } from './host/interfaces.js';
import { readCachedTranspilation, writeCachedTranspilation } from './disk-cache.js';
import { MEASURED_RUNTIME } from '../runner/bundled-workers.js';

export interface TranspiledComponent {
  /** Lowercase hex SHA-256 of the component bytes. */
  readonly hash: string;
  /**
   * jco's glue as the body of a function returning `instantiate(getCoreModule, imports)`: its two
   * `export`s are stripped, so the worker evaluates it with `new Function` instead of loading a
   * module (which costs hundreds of milliseconds through the ESM loader for 0.3-0.8 MB of code).
   */
  readonly glue: string;
  /** The component's core modules by the name the glue asks for. */
  readonly coreModules: ReadonlyMap<string, Uint8Array>;
  /** Imported interfaces without versions, e.g. `wasi:io/streams`. */
  readonly imports: readonly string[];
  /** Exported interfaces (with versions), among them `wasi:cli/run`. */
  readonly exports: readonly string[];
  /** Where it came from: jco in this process, or the disk cache (a previous process's jco). */
  readonly from: 'jco' | 'disk cache';
}

const useDiskCache = !MEASURED_RUNTIME;

const GLUE_NAME = 'component';
const CACHE_LIMIT = 16;
const cache = new Map<string, Promise<TranspiledComponent>>();

/** Transpiles `bytes` (a component), or returns the cached result for the same bytes. */
export function transpileComponent(bytes: Uint8Array): Promise<TranspiledComponent> {
  const hash = sha256Hex(bytes);
  const cached = cache.get(hash);
  if (cached) return cached;
  const pending = transpileUncached(bytes.slice(), hash);
  cache.set(hash, pending);
  pending.catch(() => cache.delete(hash));
  while (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  return pending;
}

/** Forgets every cached transpilation (tests, benchmarks of cold starts). */
export function clearTranspileCache(): void {
  cache.clear();
}

async function transpileUncached(bytes: Uint8Array, hash: string): Promise<TranspiledComponent> {
  // The imports and exports are checked again: the entry may predate a change of what we support.
  const cached = useDiskCache ? await readCachedTranspilation(hash) : undefined;
  if (cached !== undefined && cached !== 'refused') {
    checkImports(cached.imports);
    checkExports(cached.exports);
    return { ...cached, from: 'disk cache' };
  }
  const transpiled = await transpileWithJco(bytes, hash);
  if (useDiskCache) await writeCachedTranspilation(transpiled);
  return transpiled;
}

async function transpileWithJco(bytes: Uint8Array, hash: string): Promise<TranspiledComponent> {
  if (!isComponent(bytes)) throw new ComponentTranspileError('not a component binary');
  let result: Awaited<ReturnType<typeof TranspileBytes>>;
  try {
    // Loaded on first use: importing jco's transpiler costs about a second, which core modules
    // (and every process that never sees a component) should not pay.
    const { transpileBytes } = await import('@bytecodealliance/jco-transpile');
    result = await transpileBytes(bytes, {
      name: GLUE_NAME,
      instantiation: 'sync',
      emitTypescriptDeclarations: false,
      base64Cutoff: 0,
      nodejsCompat: false,
    });
  } catch (error) {
    throw new ComponentTranspileError(
      error instanceof Error ? error.message : String(error),
      error,
    );
  }
  checkImports(result.imports);
  const exports = result.exports.map(([name]) => name);
  checkExports(exports);
  return {
    hash,
    glue: glueAsFunctionBody(
      new TextDecoder().decode(requireFile(result.files, `${GLUE_NAME}.js`)),
    ),
    coreModules: coreModulesOf(result.files),
    imports: result.imports,
    exports,
    from: 'jco',
  };
}

function checkImports(imports: readonly string[]): void {
  const unsupported = imports.filter((name) => !SUPPORTED_INTERFACES.has(withoutVersion(name)));
  if (unsupported.length > 0) throw new ComponentImportError(unsupported);
}

function checkExports(exports: readonly string[]): void {
  if (!exports.some((name) => withoutVersion(name) === 'wasi:cli/run')) {
    throw new ComponentNotCommandError(exports);
  }
}

function withoutVersion(name: string): string {
  const at = name.indexOf('@');
  return at < 0 ? name : name.slice(0, at);
}

function coreModulesOf(files: Record<string, Uint8Array>): Map<string, Uint8Array> {
  const modules = new Map<string, Uint8Array>();
  for (const [name, data] of Object.entries(files))
    if (name.endsWith('.wasm')) modules.set(name, data);
  return modules;
}

/** The glue module as a function body; refuses module syntax other than its top-level exports. */
export function glueAsFunctionBody(module: string): string {
  const script = module.replace(/^export (function|const|let|class) /gm, '$1 ');
  if (/^\s*(import|export)\b/m.test(script) || /\bimport\.meta\b/.test(script)) {
    throw new ComponentTranspileError('jco glue uses module syntax the worker cannot evaluate');
  }
  return `'use strict';\n${script}\nreturn instantiate;\n`;
}

function requireFile(files: Record<string, Uint8Array>, name: string): Uint8Array {
  const file = files[name];
  if (!file) throw new ComponentTranspileError(`jco produced no ${name}`);
  return file;
}
