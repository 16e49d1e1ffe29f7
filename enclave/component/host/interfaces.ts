// The import object our WASI 0.2 host gives a transpiled component, keyed by interface name without
// version (jco's glue looks interfaces up that way). Only these interfaces exist: a component that
// imports anything else (sockets, HTTP, ...) is refused when it is provisioned.
import {
  type FsContext,
  Descriptor,
  DirectoryEntryStream,
  filesystemErrorCode,
  preopens,
} from './filesystem.js';
import { IoError } from './errors.js';
import { InputStream, OutputStream, Pollable, poll } from './io.js';
import { cliImports, type CliContext } from './cli.js';
import { clockImports, randomImports, type ClockRandomContext } from './clocks-random.js';

export const SUPPORTED_INTERFACES: ReadonlySet<string> = new Set([
  'wasi:cli/environment',
  'wasi:cli/exit',
  'wasi:cli/stdin',
  'wasi:cli/stdout',
  'wasi:cli/stderr',
  'wasi:cli/terminal-input',
  'wasi:cli/terminal-output',
  'wasi:cli/terminal-stdin',
  'wasi:cli/terminal-stdout',
  'wasi:cli/terminal-stderr',
  'wasi:filesystem/types',
  'wasi:filesystem/preopens',
  'wasi:io/error',
  'wasi:io/poll',
  'wasi:io/streams',
  'wasi:clocks/wall-clock',
  'wasi:clocks/monotonic-clock',
  'wasi:random/random',
  'wasi:random/insecure',
  'wasi:random/insecure-seed',
]);

export type ComponentHostContext = FsContext & CliContext & ClockRandomContext;

export function hostImports(ctx: ComponentHostContext): Record<string, Record<string, unknown>> {
  const directories = preopens(ctx);
  return {
    ...cliImports(ctx),
    ...clockImports(ctx),
    ...randomImports(ctx),
    'wasi:filesystem/types': { Descriptor, DirectoryEntryStream, filesystemErrorCode },
    'wasi:filesystem/preopens': { getDirectories: () => [...directories] },
    'wasi:io/error': { Error: IoError },
    'wasi:io/poll': { Pollable, poll },
    'wasi:io/streams': { InputStream, OutputStream },
  };
}
