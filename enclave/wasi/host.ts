// Our WASI preview 1 host: every function of wasi_snapshot_preview1 plus veracruz_si.fd_create,
// over the in-memory inode tree, with the principal's rights checked on every call. Host functions
// never throw into the guest except to unwind proc_exit: failures become errno values.
import {
  AccessDeniedError,
  FileNotFoundError,
  QuotaExceededError,
  ResourceLimitError,
} from '../errors.js';
import {
  NativeModuleStoppedError,
  NativeModuleUnknownError,
  NativeRequestError,
} from '../native/errors.js';
import type { WasmImports, WasmMemory } from '../wasm-api.js';
import {
  ClockId,
  Errno,
  EVENTRWFLAGS_HANGUP,
  EventType,
  ProcExit,
  SUBCLOCKFLAGS_ABSTIME,
} from './constants.js';
import { fdCalls, veracruzCalls } from './fd-calls.js';
import { WasiErr } from './fd-table.js';
import { HostState, type WasiHostOptions } from './host-state.js';
import { pathCalls } from './path-calls.js';

type Call = (...args: never[]) => number | undefined;

export const WASI_MODULE = 'wasi_snapshot_preview1';
export const VERACRUZ_MODULE = 'veracruz_si';

function encodeStrings(items: readonly string[]): Uint8Array[] {
  return items.map((s) => new TextEncoder().encode(`${s}\0`));
}

function stringCalls(
  h: HostState,
  prefix: 'args' | 'environ',
  items: readonly string[],
): Record<string, Call> {
  const encoded = encodeStrings(items);
  const total = encoded.reduce((n, b) => n + b.length, 0);
  return {
    [`${prefix}_sizes_get`](countPtr: number, sizePtr: number) {
      h.mem.setU32(countPtr, encoded.length);
      h.mem.setU32(sizePtr, total);
      return Errno.SUCCESS;
    },
    [`${prefix}_get`](ptrs: number, buf: number) {
      let at = buf;
      encoded.forEach((bytes, i) => {
        h.mem.setU32(ptrs + i * 4, at);
        h.mem.write(at, bytes);
        at += bytes.length;
      });
      return Errno.SUCCESS;
    },
  };
}

function clockNow(h: HostState, id: number): bigint {
  const clock = h.options.clock;
  if (!clock) throw new WasiErr(Errno.NOTCAPABLE);
  if (id === ClockId.REALTIME) return clock.realtime();
  if (id === ClockId.MONOTONIC || id === ClockId.PROCESS_CPUTIME || id === ClockId.THREAD_CPUTIME)
    return clock.monotonic();
  throw new WasiErr(Errno.INVAL);
}

function miscCalls(h: HostState): Record<string, Call> {
  const { mem } = h;
  return {
    clock_res_get(id: number, ptr: number) {
      clockNow(h, id);
      mem.setU64(ptr, h.options.clock?.resolutionNs ?? 1n);
      return Errno.SUCCESS;
    },
    clock_time_get(id: number, _precision: bigint, ptr: number) {
      mem.setU64(ptr, clockNow(h, id));
      return Errno.SUCCESS;
    },
    poll_oneoff(inPtr: number, outPtr: number, count: number, neventsPtr: number) {
      if (count === 0) return Errno.INVAL;
      let events = 0;
      let sleepNs = -1n;
      const clockEvents: bigint[] = [];
      // A streamed stdin with nothing to read yet: it is waited for, with the clocks, below.
      const stdinWaits: bigint[] = [];
      for (let i = 0; i < count; i++) {
        const sub = inPtr + i * 48;
        const userdata = mem.dv.getBigUint64(sub, true);
        const tag = mem.dv.getUint8(sub + 8);
        const ev = outPtr + events * 32;
        if (tag === EventType.CLOCK) {
          const id = mem.u32(sub + 16);
          const timeout = mem.dv.getBigUint64(sub + 24, true);
          const flags = mem.dv.getUint16(sub + 40, true);
          let error: number = Errno.SUCCESS;
          let wait = timeout;
          try {
            if (flags & SUBCLOCKFLAGS_ABSTIME) wait = timeout - clockNow(h, id);
            else clockNow(h, id);
          } catch (e) {
            error = e instanceof WasiErr ? e.errno : Errno.INVAL;
          }
          if (error !== Errno.SUCCESS) {
            writeEvent(h, ev, userdata, error, EventType.CLOCK);
            events++;
          } else {
            clockEvents.push(userdata);
            sleepNs = sleepNs < 0n || wait < sleepNs ? (wait < 0n ? 0n : wait) : sleepNs;
          }
        } else if (tag === EventType.FD_READ || tag === EventType.FD_WRITE) {
          const fd = mem.u32(sub + 16);
          let error: number = Errno.SUCCESS;
          let nbytes = 0;
          let flags = 0;
          try {
            const e = h.fds.get(fd);
            if (tag === EventType.FD_READ && e.stdio === 'stdin') {
              // As wasmtime: the bytes ready to read, or none and HANGUP at the end of input.
              const ready = h.options.stdin
                ? h.options.stdin.poll(0)
                : { bytes: e.node.kind === 'file' ? e.node.size - e.offset : 0, end: false };
              if (ready === undefined) {
                stdinWaits.push(userdata);
                continue;
              }
              const end = ready.end || (!h.options.stdin && ready.bytes <= 0);
              nbytes = Math.max(0, ready.bytes);
              flags = end ? EVENTRWFLAGS_HANGUP : 0;
            } else if (tag === EventType.FD_READ && e.node.kind === 'file')
              nbytes = Math.max(0, e.node.size - e.offset);
          } catch (e) {
            error = e instanceof WasiErr ? e.errno : Errno.BADF;
          }
          writeEvent(h, ev, userdata, error, tag);
          mem.setU64(ev + 16, nbytes);
          mem.setU16(ev + 24, flags);
          events++;
        } else {
          return Errno.INVAL;
        }
      }
      // Files are always ready; only when nothing else is ready does a wait happen: for streamed
      // input until it comes (or the first clock fires), else for the first clock.
      if (events === 0 && stdinWaits.length > 0 && h.options.stdin) {
        const timeoutMs = clockEvents.length > 0 ? Number(sleepNs / 1_000_000n) : Infinity;
        const ready = h.options.stdin.poll(timeoutMs);
        if (ready !== undefined) {
          for (const userdata of stdinWaits) {
            const ev = outPtr + events * 32;
            writeEvent(h, ev, userdata, Errno.SUCCESS, EventType.FD_READ);
            mem.setU64(ev + 16, ready.bytes);
            mem.setU16(ev + 24, ready.end ? EVENTRWFLAGS_HANGUP : 0);
            events++;
          }
        } else {
          writeEvent(h, outPtr, clockEvents[0] as bigint, Errno.SUCCESS, EventType.CLOCK);
          events = 1;
        }
      } else if (events === 0 && clockEvents.length > 0) {
        h.options.clock?.sleep(sleepNs);
        writeEvent(h, outPtr, clockEvents[0] as bigint, Errno.SUCCESS, EventType.CLOCK);
        events = 1;
      }
      mem.setU32(neventsPtr, events);
      return Errno.SUCCESS;
    },
    proc_exit(code: number) {
      h.exitCode = code >>> 0;
      throw new ProcExit(code >>> 0);
    },
    proc_raise() {
      return Errno.NOSYS;
    },
    sched_yield() {
      return Errno.SUCCESS;
    },
    random_get(ptr: number, len: number) {
      h.options.random(mem.slice(ptr, len));
      return Errno.SUCCESS;
    },
    sock_accept(fd: number) {
      h.fds.get(fd);
      return Errno.NOTSOCK; // no descriptor here is a socket
    },
    sock_recv(fd: number) {
      h.fds.get(fd);
      return Errno.NOTSOCK; // no descriptor here is a socket
    },
    sock_send(fd: number) {
      h.fds.get(fd);
      return Errno.NOTSOCK; // no descriptor here is a socket
    },
    sock_shutdown(fd: number) {
      h.fds.get(fd);
      return Errno.NOTSOCK; // no descriptor here is a socket
    },
  };
}

function writeEvent(
  h: HostState,
  ptr: number,
  userdata: bigint,
  error: number,
  type: number,
): void {
  h.mem.slice(ptr, 32).fill(0);
  h.mem.setU64(ptr, userdata);
  h.mem.setU16(ptr + 8, error);
  h.mem.setU8(ptr + 10, type);
}

/**
 * Maps whatever a call threw to an errno; proc_exit's unwinding and output past the budget (which
 * ends the run) pass through.
 */
function errnoOf(error: unknown): number {
  if (error instanceof WasiErr) return error.errno;
  // A native module stopped at a limit ends the run; its other refusals are the write's errno.
  if (error instanceof NativeModuleStoppedError) throw error;
  if (error instanceof AccessDeniedError) return Errno.ACCES;
  if (error instanceof FileNotFoundError) return Errno.NOENT;
  if (error instanceof NativeRequestError || error instanceof NativeModuleUnknownError)
    return Errno.INVAL;
  if (error instanceof QuotaExceededError) return Errno.DQUOT;
  if (error instanceof ResourceLimitError) {
    if (error.resource === 'output-bytes') throw error;
    return error.resource === 'open-files' ? Errno.MFILE : Errno.NAMETOOLONG;
  }
  if (error instanceof RangeError) return Errno.FAULT;
  if (error instanceof TypeError) return Errno.ILSEQ;
  return Errno.IO;
}

export class WasiHost {
  readonly state: HostState;

  constructor(options: WasiHostOptions) {
    this.state = new HostState(options);
  }

  get exitCode(): number | undefined {
    return this.state.exitCode;
  }

  /** Gives the host the guest's exported memory (after instantiation). */
  attach(memory: WasmMemory): void {
    this.state.mem.attach(memory);
  }

  imports(): WasmImports {
    const h = this.state;
    const wasi = {
      ...stringCalls(h, 'args', h.options.args),
      ...stringCalls(h, 'environ', h.options.env),
      ...miscCalls(h),
      ...fdCalls(h),
      ...pathCalls(h),
    };
    return {
      [WASI_MODULE]: this.wrapAll(wasi),
      [VERACRUZ_MODULE]: this.wrapAll(veracruzCalls(h)),
    };
  }

  private wrapAll(calls: Record<string, Call>): Record<string, Call> {
    const trace = this.state.options.trace;
    const wrapped: Record<string, Call> = {};
    for (const [name, fn] of Object.entries(calls)) {
      wrapped[name] = (...args: never[]) => {
        let result: number;
        try {
          result = fn(...args) ?? Errno.SUCCESS;
        } catch (error) {
          if (error instanceof ProcExit) {
            trace?.(`${name}(${args.join(', ')})`);
            throw error;
          }
          result = errnoOf(error);
        }
        trace?.(`${name}(${args.map(String).join(', ')}) = ${result}`);
        return result;
      };
    }
    return wrapped;
  }
}
