// `wasi:cli` for the component host: arguments and environment from the run request, stdio over
// the pseudo files `stdin` / `stdout` / `stderr` (with the principal's rights on them, like the
// preview 1 host; stdin streamed from the caller when the run has a stream), no terminals, and
// `exit` captured as an exception that ends the run.
import {
  type RightsTable,
  WasiRight,
  hasRights,
  isVcError,
  rightsAt,
} from '../../../protocol/index.js';
import type { InodeTree } from '../../vfs/inode-tree.js';
import type { StdinStream } from '../../wasi/host-state.js';
import { StreamError } from './errors.js';
import { InputStream, OutputStream } from './io.js';

/** Thrown by `exit`; the runner catches it and reports the code. */
export class ComponentExit extends Error {
  readonly code: number;
  constructor(code: number) {
    super(`component exited with ${code}`);
    this.code = code;
  }
}

export interface CliContext {
  readonly tree: InodeTree;
  readonly rights: RightsTable;
  /** argv, the program name first. */
  readonly args: readonly string[];
  /** `KEY=VALUE` strings. */
  readonly env: readonly string[];
  readonly onOutput?: ((stream: 'stdout' | 'stderr', bytes: Uint8Array) => void) | undefined;
  /** The caller's input streamed as the guest reads (`vc run`); absent: the `stdin` pseudo file. */
  readonly stdin?: StdinStream | undefined;
}

function outputStream(ctx: CliContext, name: 'stdout' | 'stderr'): OutputStream {
  const allowed = hasRights(rightsAt(ctx.rights, name), WasiRight.FD_WRITE);
  const node = ctx.tree.pseudoFile(name);
  return new OutputStream({
    write: (bytes) => {
      if (!allowed) throw StreamError.failed('access');
      try {
        ctx.tree.writeAt(node, node.size, bytes);
      } catch (error) {
        if (isVcError(error, 'ERR_QUOTA_EXCEEDED')) throw StreamError.failed('quota');
        throw error;
      }
      ctx.onOutput?.(name, bytes.slice());
    },
  });
}

function inputStream(ctx: CliContext): InputStream {
  const allowed = hasRights(rightsAt(ctx.rights, 'stdin'), WasiRight.FD_READ);
  const node = ctx.tree.pseudoFile('stdin');
  let position = 0;
  return new InputStream({
    read: (len) => {
      if (!allowed) throw StreamError.failed('access');
      // A streamed stdin waits until some bytes (or the end of input) come.
      if (ctx.stdin) return ctx.stdin.read(len).slice();
      const bytes = ctx.tree.readAt(node, position, len).slice();
      position += bytes.length;
      return bytes;
    },
  });
}

class TerminalInput {}
class TerminalOutput {}

export function cliImports(ctx: CliContext): Record<string, Record<string, unknown>> {
  const stdin = inputStream(ctx);
  const stdout = outputStream(ctx, 'stdout');
  const stderr = outputStream(ctx, 'stderr');
  const environment = ctx.env.map((entry): [string, string] => {
    const eq = entry.indexOf('=');
    return eq < 0 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
  });
  const noTerminal = (): undefined => undefined;
  return {
    'wasi:cli/environment': {
      getEnvironment: () => environment.map(([k, v]) => [k, v]),
      getArguments: () => [...ctx.args],
      initialCwd: () => undefined,
    },
    'wasi:cli/exit': {
      exit: (status: { tag: 'ok' | 'err' }) => {
        throw new ComponentExit(status.tag === 'ok' ? 0 : 1);
      },
      exitWithCode: (code: number) => {
        throw new ComponentExit(code);
      },
    },
    'wasi:cli/stdin': { getStdin: () => stdin },
    'wasi:cli/stdout': { getStdout: () => stdout },
    'wasi:cli/stderr': { getStderr: () => stderr },
    'wasi:cli/terminal-input': { TerminalInput },
    'wasi:cli/terminal-output': { TerminalOutput },
    'wasi:cli/terminal-stdin': { getTerminalStdin: noTerminal },
    'wasi:cli/terminal-stdout': { getTerminalStdout: noTerminal },
    'wasi:cli/terminal-stderr': { getTerminalStderr: noTerminal },
  };
}
