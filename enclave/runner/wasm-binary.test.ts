import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Wasm } from '../wasm-api.js';
import { capMemory, capTables, inspectModule } from './wasm-binary.js';

const section = (id: number, body: number[]): number[] => [id, body.length, ...body];
const name = (s: string): number[] => [s.length, ...new TextEncoder().encode(s)];
const HEADER = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0];

/** A module defining one memory with the given limits bytes and exporting it as "memory". */
function definedMemory(limits: number[]): Uint8Array {
  return Uint8Array.from([
    ...HEADER,
    ...section(5, [1, ...limits]),
    ...section(7, [1, ...name('memory'), 2, 0]),
  ]);
}

/** A module importing its memory from wasi_snapshot_preview1.mem with the given limits bytes. */
function importedMemory(limits: number[]): Uint8Array {
  return Uint8Array.from([
    ...HEADER,
    ...section(2, [1, ...name('wasi_snapshot_preview1'), ...name('mem'), 2, ...limits]),
  ]);
}

test('a memory without maximum gets the cap as maximum', () => {
  const capped = capMemory(definedMemory([0, 2]), 16);
  assert.ok(Wasm.validate(capped));
  assert.deepEqual(inspectModule(capped).memories, [
    { min: 2, max: 16, shared: false, is64: false },
  ]);
  assert.deepEqual(inspectModule(capped).exports, [{ name: 'memory', kind: 'memory' }]);
});

test('a larger maximum is lowered, a smaller one kept', () => {
  assert.equal(
    inspectModule(capMemory(definedMemory([1, 1, 0x80, 0x01]), 16)).memories[0]?.max,
    16,
  );
  assert.equal(inspectModule(capMemory(definedMemory([1, 1, 4]), 16)).memories[0]?.max, 4);
});

test('a minimum above the cap is refused with ERR_MEMORY_LIMIT', () => {
  assert.throws(
    () => capMemory(definedMemory([0, 40]), 16),
    (e: { code?: string }) => e.code === 'ERR_MEMORY_LIMIT',
  );
});

test('imported memories are capped too', () => {
  const capped = capMemory(importedMemory([0, 1]), 8);
  assert.ok(Wasm.validate(capped));
  assert.deepEqual(inspectModule(capped).imports, [
    {
      module: 'wasi_snapshot_preview1',
      name: 'mem',
      kind: 'memory',
      limits: { min: 1, max: 8, shared: false, is64: false },
    },
  ]);
});

test('components and garbage are refused as ERR_INVALID_MODULE', () => {
  const invalid = (e: { code?: string }): boolean => e.code === 'ERR_INVALID_MODULE';
  assert.throws(
    () => inspectModule(Uint8Array.from([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0])),
    invalid,
  );
  assert.throws(() => inspectModule(new TextEncoder().encode('hello world')), invalid);
  assert.throws(() => inspectModule(Uint8Array.from([...HEADER, 5, 10, 1])), invalid);
});

/** A module defining tables of funcref with the given limits bytes. */
function definedTables(...limits: number[][]): Uint8Array {
  const body = [limits.length, ...limits.flatMap((l) => [0x70, ...l])];
  return Uint8Array.from([...HEADER, ...section(4, body)]);
}

test('tables share maxTableEntries: each may grow by an equal part of what the minimums leave', () => {
  const capped = capTables(definedTables([0, 10], [1, 2, 0x80, 0x80, 0x80, 0x05]), 100);
  assert.ok(Wasm.validate(capped));
  assert.deepEqual(inspectModule(capped).tables, [
    { min: 10, max: 54, shared: false, is64: false },
    { min: 2, max: 46, shared: false, is64: false },
  ]);
  // A smaller maximum of its own is kept.
  assert.equal(inspectModule(capTables(definedTables([1, 0, 3]), 100)).tables[0]?.max, 3);
});

test('table minimums above maxTableEntries are refused with ERR_RESOURCE_LIMIT', () => {
  assert.throws(
    () => capTables(definedTables([0, 60], [0, 60]), 100),
    (e: { code?: string }) => e.code === 'ERR_RESOURCE_LIMIT',
  );
});
