// Our equivalent of Veracruz's wasm-checker: before anything runs, the module must be valid, import
// only functions our host provides (from wasi_snapshot_preview1 and veracruz_si), export `_start`
// and a `memory`, and it gets its memory maximum capped.
import { ForbiddenImportError, InvalidModuleError } from '../errors.js';
import { Wasm } from '../wasm-api.js';
import { VERACRUZ_MODULE, WASI_MODULE } from '../wasi/host.js';
import { capMemory, capTables, inspectModule, PAGE_BYTES } from './wasm-binary.js';
import type { RunLimits } from './run-options.js';

/** Every function of wasi_snapshot_preview1 (the host implements each one). */
export const WASI_FUNCTIONS: readonly string[] = [
  'args_get',
  'args_sizes_get',
  'environ_get',
  'environ_sizes_get',
  'clock_res_get',
  'clock_time_get',
  'fd_advise',
  'fd_allocate',
  'fd_close',
  'fd_datasync',
  'fd_fdstat_get',
  'fd_fdstat_set_flags',
  'fd_fdstat_set_rights',
  'fd_filestat_get',
  'fd_filestat_set_size',
  'fd_filestat_set_times',
  'fd_pread',
  'fd_prestat_get',
  'fd_prestat_dir_name',
  'fd_pwrite',
  'fd_read',
  'fd_readdir',
  'fd_renumber',
  'fd_seek',
  'fd_sync',
  'fd_tell',
  'fd_write',
  'path_create_directory',
  'path_filestat_get',
  'path_filestat_set_times',
  'path_link',
  'path_open',
  'path_readlink',
  'path_remove_directory',
  'path_rename',
  'path_symlink',
  'path_unlink_file',
  'poll_oneoff',
  'proc_exit',
  'proc_raise',
  'sched_yield',
  'random_get',
  'sock_accept',
  'sock_recv',
  'sock_send',
  'sock_shutdown',
];

const VERACRUZ_FUNCTIONS: readonly string[] = ['fd_create'];

const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  [WASI_MODULE]: WASI_FUNCTIONS,
  [VERACRUZ_MODULE]: VERACRUZ_FUNCTIONS,
};

/**
 * Checks `program` and returns a copy whose memory may grow to at most `maxMemoryMib` and whose
 * tables to at most `maxTableEntries` entries together.
 */
export function checkModule(
  program: Uint8Array,
  limits: Pick<RunLimits, 'maxMemoryMib' | 'maxTableEntries'>,
): Uint8Array {
  if (!Wasm.validate(program)) throw new InvalidModuleError('not a valid WebAssembly module');
  const info = inspectModule(program);
  for (const imp of info.imports) {
    const names = ALLOWED[imp.module];
    if (!names)
      throw new ForbiddenImportError(
        imp.module,
        imp.name,
        'only wasi_snapshot_preview1 and veracruz_si may be imported',
      );
    if (imp.kind !== 'func')
      throw new ForbiddenImportError(imp.module, imp.name, `a ${imp.kind} cannot be imported`);
    if (!names.includes(imp.name))
      throw new ForbiddenImportError(imp.module, imp.name, 'no such function');
  }
  const memory = info.exports.find((e) => e.name === 'memory' && e.kind === 'memory');
  if (!memory) throw new InvalidModuleError('the module does not export its memory as "memory"');
  if (!info.exports.some((e) => e.name === '_start' && e.kind === 'func')) {
    throw new InvalidModuleError('the module has no _start function (not a WASI command)');
  }
  if (info.memories.some((m) => m.is64 || m.shared))
    throw new InvalidModuleError('64-bit and shared memories are not supported');
  const maxPages = Math.floor((limits.maxMemoryMib * 2 ** 20) / PAGE_BYTES);
  return capTables(capMemory(program, maxPages), limits.maxTableEntries);
}
