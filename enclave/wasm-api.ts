// Typed access to the WebAssembly JS API. Our tsconfig has no DOM lib, where these types live, so
// the few parts the sandbox uses are declared here.

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}

/** A compiled module; can be posted to a worker thread. */
export interface WasmModule {
  readonly __brand?: 'WebAssembly.Module';
}

interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

export type WasmImports = Record<string, Record<string, unknown>>;

interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: WasmImports): Promise<WasmInstance>;
  readonly Memory: abstract new (...args: never[]) => WasmMemory;
  readonly RuntimeError: abstract new (...args: never[]) => Error;
  readonly CompileError: abstract new (...args: never[]) => Error;
  readonly LinkError: abstract new (...args: never[]) => Error;
}

export const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export function isMemory(value: unknown): value is WasmMemory {
  return value instanceof Wasm.Memory;
}
