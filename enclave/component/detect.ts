// Telling components from core modules by the preamble: both start with `\0asm`; the next four bytes
// are a version (u16) and a layer (u16). Core modules have version 1, layer 0; components have
// layer 1 (version 0x0d during the component model's pre-standard phase).

const MAGIC = [0x00, 0x61, 0x73, 0x6d] as const;

function hasMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && MAGIC.every((b, i) => bytes[i] === b);
}

function layer(bytes: Uint8Array): number {
  return (bytes[6] as number) | ((bytes[7] as number) << 8);
}

/** True for a WebAssembly component binary (layer 1). */
export function isComponent(bytes: Uint8Array): boolean {
  return hasMagic(bytes) && layer(bytes) === 1;
}

/** True for a core WebAssembly module binary (version 1, layer 0). */
export function isCoreModule(bytes: Uint8Array): boolean {
  return hasMagic(bytes) && layer(bytes) === 0 && bytes[4] === 1 && bytes[5] === 0;
}
