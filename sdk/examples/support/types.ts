// The shapes of the example index (sdk/examples/catalog.ts): what each example program reads and
// writes, how to generate its inputs from a seed, and how to compute its expected outputs
// independently of the guest.
import type { NativeModuleBuild } from './native-build.js';

type GuestLanguage = 'assemblyscript' | 'c' | 'rust';

/** File contents keyed by absolute guest path, e.g. `/input/shamir-0.dat`. */
export type GuestFiles = ReadonlyMap<string, Uint8Array>;

/**
 * One execution's inputs: files under /input (and, for a pipeline stage, files under /output left
 * by the previous stage), environment variables and arguments.
 */
export interface ExampleRun {
  readonly files: GuestFiles;
  readonly env?: Readonly<Record<string, string>>;
  readonly args?: readonly string[];
  /** How many times the program runs in a row over the same file system (stateful examples). */
  readonly rounds?: number;
}

/** How an output file is compared with the reference's. */
export type OutputComparison =
  | { readonly kind: 'bytes' }
  /** Packed little-endian f64 values, equal within a relative tolerance (transcendental functions),
   *  after `header` bytes that must be equal (a postcard sequence's length). */
  | { readonly kind: 'f64'; readonly relativeTolerance: number; readonly header?: number }
  /** Darknet's prediction lines (`LABEL\tP%\tx: X\ty: Y\tw: W\th: H`): the same labels in the
   *  same order, P within `percent` points, X, Y, W, H within `box` (docs/guest-programs.md). */
  | { readonly kind: 'detections'; readonly percent: number; readonly box: number };

/**
 * A native module an example calls through its special file (docs/policy.md#native-modules):
 * a static one is served inside the enclave; a dynamic one is a host program, compiled from
 * the source beside the example (support/native-build.ts) and run in the native sandbox.
 */
type ExampleNativeModule =
  | { readonly kind: 'static'; readonly name: string; readonly specialFile: string }
  | {
      readonly kind: 'dynamic';
      readonly name: string;
      readonly specialFile: string;
      readonly build: NativeModuleBuild;
    };

export interface Example {
  readonly name: string;
  readonly language: GuestLanguage;
  readonly summary: string;
  /** Absolute host path of the committed .wasm. */
  readonly wasmPath: string;
  /** Absolute host path of the guest source (file, or folder for AssemblyScript). */
  readonly sourcePath: string;
  /** Guest paths the program reads (a trailing `*` means "numbered files"). */
  readonly inputs: readonly string[];
  /** Guest paths the program writes. */
  readonly outputs: readonly string[];
  /** Deterministic inputs for `size` records (0 = empty input). */
  generate(seed: number, size: number): ExampleRun;
  /** The expected output files for `run`, computed in TypeScript, independently of the guest. */
  reference(run: ExampleRun): GuestFiles;
  readonly comparison?: OutputComparison;
  /** A size whose run comes near `memoryCapMib`, for the edge-case test. */
  readonly largeSize: number;
  /** The memory cap (MiB) the large case runs under. */
  readonly memoryCapMib: number;
  /** For programs that draw on the host's random source (see RandomOutputs). */
  readonly random?: RandomOutputs;
  /**
   * Set when inputs of a size below `below` (`generate(seed, size)`) are not valid, as for
   * Veracruz's version: the program must refuse them with a message matching `message` and a
   * non-zero exit.
   */
  readonly smallRefused?: { readonly below: number; readonly message: RegExp };
  /**
   * Native modules the program calls through their special files (Veracruz's names); such an
   * example runs only where the policy declares them (docs/policy.md#native-modules).
   */
  readonly nativeModules?: readonly ExampleNativeModule[];
}

/**
 * Outputs that depend on the host's random source, so no reference can predict them: the tests
 * check their shape with `verify`, that equal `--seed`s give equal bytes, and that different
 * seeds give different bytes.
 */
interface RandomOutputs {
  readonly outputs: readonly string[];
  /** A description of what is wrong with `outputs`, or undefined when they are well formed. */
  verify(run: ExampleRun, outputs: GuestFiles): string | undefined;
}

/** Programs run one after another over one file system, as a Veracruz pipeline. */
export interface ExamplePipeline {
  readonly name: string;
  readonly summary: string;
  /** Example names in order; each is `/program/<name>.wasm` in the pipeline text. */
  readonly programs: readonly string[];
  /** Veracruz pipeline text. */
  readonly pipeline: string;
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Checks the pipeline's final outputs; returns a description of the first mismatch, or
   * undefined. It gets the outputs because the first program may draw from the random source.
   */
  verify(outputs: GuestFiles, env: Readonly<Record<string, string>>): string | undefined;
}

/** Builds a GuestFiles map from entries. */
export function files(entries: Iterable<readonly [string, Uint8Array]>): GuestFiles {
  return new Map(entries);
}

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
export const fromUtf8 = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** Packs numbers as little-endian f64. */
export function f64Bytes(values: readonly number[]): Uint8Array {
  const view = new DataView(new ArrayBuffer(values.length * 8));
  values.forEach((value, i) => view.setFloat64(i * 8, value, true));
  return new Uint8Array(view.buffer);
}

/** Unpacks little-endian f64 values. */
export function readF64s(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  for (let i = 0; i + 8 <= bytes.length; i += 8) out.push(view.getFloat64(i, true));
  return out;
}

/** The file at `path`, or an error naming it. */
export function need(run: ExampleRun, path: string): Uint8Array {
  const data = run.files.get(path);
  if (!data) throw new Error(`example input ${path} is missing`);
  return data;
}
