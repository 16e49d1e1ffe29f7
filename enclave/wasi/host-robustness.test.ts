// The host must never break, whatever a guest passes: every call, fed arbitrary arguments, returns
// an errno (or unwinds proc_exit) and leaves the host usable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { RIGHTS_ALL } from '../../protocol/index.js';
import { InodeTree } from '../vfs/inode-tree.js';
import { Wasm, type WasmMemory } from '../wasm-api.js';
import { Errno, ProcExit } from './constants.js';
import { WasiHost } from './host.js';
import { WASI_FUNCTIONS } from '../runner/check-module.js';

type AnyCall = (...args: unknown[]) => unknown;

function makeHost(): { host: WasiHost; calls: Record<string, AnyCall>; memory: WasmMemory } {
  const tree = new InodeTree({ quotaBytes: 1 << 20 });
  const host = new WasiHost({
    tree,
    rights: [
      { path: '/data/', rights: RIGHTS_ALL },
      { path: 'stdout', rights: RIGHTS_ALL },
    ],
    args: ['p'],
    env: [],
    random: (b) => b.fill(1),
  });
  const MemoryCtor = Wasm.Memory as unknown as new (d: {
    initial: number;
    maximum: number;
  }) => WasmMemory;
  const memory = new MemoryCtor({ initial: 1, maximum: 2 });
  host.attach(memory);
  return {
    host,
    memory,
    calls: host.imports()['wasi_snapshot_preview1'] as Record<string, AnyCall>,
  };
}

/** The i64 parameters of each call (by position); all others are i32. */
const I64_PARAMS: Record<string, number[]> = {
  clock_time_get: [1],
  fd_advise: [1, 2],
  fd_allocate: [1, 2],
  fd_fdstat_set_rights: [1, 2],
  fd_filestat_set_size: [1],
  fd_filestat_set_times: [1, 2],
  fd_pread: [3],
  fd_pwrite: [3],
  fd_readdir: [3],
  fd_seek: [1],
  path_filestat_set_times: [4, 5],
  path_open: [5, 6],
};

test('every call returns an errno for arbitrary arguments and never throws into the host', () => {
  const { calls } = makeHost();
  const arbInt = fc.oneof(
    fc.integer({ min: 0, max: 8 }),
    fc.integer({ min: 0, max: 70000 }),
    fc.integer({ min: -1, max: 2 ** 31 - 1 }),
  );
  fc.assert(
    fc.property(
      fc.constantFrom(...WASI_FUNCTIONS),
      fc.array(arbInt, { minLength: 10, maxLength: 10 }),
      (name, raw) => {
        const fn = calls[name] as AnyCall;
        const args = raw.map((v, i) => ((I64_PARAMS[name] ?? []).includes(i) ? BigInt(v) : v));
        try {
          const result = fn(...args);
          assert.equal(typeof result, 'number', name);
          assert.ok(
            Number.isInteger(result) && (result as number) >= 0 && (result as number) <= 76,
            `${name} -> ${String(result)}`,
          );
        } catch (error) {
          assert.ok(
            name === 'proc_exit' && error instanceof ProcExit,
            `${name} threw ${String(error)}`,
          );
        }
      },
    ),
    { numRuns: 3000, seed: 4 },
  );
});

test('pointers outside guest memory give EFAULT and bad UTF-8 paths EILSEQ', () => {
  const { calls, memory } = makeHost();
  assert.equal(calls['fd_write']?.(1, 70000, 1, 0), Errno.FAULT);
  assert.equal(calls['args_sizes_get']?.(65535, 0), Errno.FAULT);
  new Uint8Array(memory.buffer).set([0xff, 0xfe], 100);
  assert.equal(calls['path_open']?.(3, 0, 100, 2, 0, 0n, 0n, 0, 200), Errno.ILSEQ);
  assert.equal(calls['fd_close']?.(42), Errno.BADF);
});
