// `wasi:io` (error, poll, streams) for the component host. Streams are synchronous views of files
// in the worker's inode tree or of the stdio pseudo files: data is always ready, so pollables are
// ready at once, except clock timers, which block the worker through the clock source.
import { StreamError } from './errors.js';

/** What a pollable waits for; `undefined` deadline means ready now. */
export interface PollSource {
  ready(): boolean;
  /** Blocks the worker until ready. */
  block(): void;
}

const alwaysReady: PollSource = { ready: () => true, block: () => undefined };

export class Pollable {
  readonly source: PollSource;
  constructor(source: PollSource = alwaysReady) {
    this.source = source;
  }
  ready(): boolean {
    return this.source.ready();
  }
  block(): void {
    this.source.block();
  }
}

/** `poll.poll`: the indexes of ready pollables, blocking until at least one is ready. */
export function poll(list: readonly Pollable[]): Uint32Array {
  if (list.length === 0) throw new Error('poll list must not be empty');
  const ready = (): number[] => list.flatMap((p, i) => (p.ready() ? [i] : []));
  let found = ready();
  if (found.length === 0) {
    (list[0] as Pollable).block();
    found = ready();
  }
  return Uint32Array.from(found);
}

/** The operations behind an input stream. */
export interface InputSource {
  /** Up to `len` bytes; an empty array at end of data. */
  read(len: number): Uint8Array;
}

/** The operations behind an output stream; `write` throws a StreamError when refused. */
export interface OutputSink {
  write(bytes: Uint8Array): void;
}

/** Bytes a guest may hand us in one write (the WASI default budget in other hosts). */
const WRITE_PERMIT = 1n << 20n;

function lengthOf(len: bigint): number {
  return len > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(len);
}

export class InputStream {
  private readonly input: InputSource;
  constructor(input: InputSource) {
    this.input = input;
  }
  read(len: bigint): Uint8Array {
    const bytes = this.input.read(Math.min(lengthOf(len), 1 << 24));
    if (bytes.length === 0 && len > 0n) throw StreamError.closed();
    return bytes;
  }
  blockingRead(len: bigint): Uint8Array {
    return this.read(len);
  }
  skip(len: bigint): bigint {
    return BigInt(this.read(len).length);
  }
  blockingSkip(len: bigint): bigint {
    return this.skip(len);
  }
  subscribe(): Pollable {
    return new Pollable();
  }
}

export class OutputStream {
  private readonly sink: OutputSink;
  constructor(sink: OutputSink) {
    this.sink = sink;
  }
  checkWrite(): bigint {
    return WRITE_PERMIT;
  }
  write(contents: Uint8Array): void {
    this.sink.write(contents);
  }
  blockingWriteAndFlush(contents: Uint8Array): void {
    this.sink.write(contents);
  }
  flush(): void {}
  blockingFlush(): void {}
  subscribe(): Pollable {
    return new Pollable();
  }
  writeZeroes(len: bigint): void {
    this.sink.write(new Uint8Array(lengthOf(len)));
  }
  blockingWriteZeroesAndFlush(len: bigint): void {
    this.writeZeroes(len);
  }
  splice(src: InputStream, len: bigint): bigint {
    const bytes = src.read(len < WRITE_PERMIT ? len : WRITE_PERMIT);
    this.sink.write(bytes);
    return BigInt(bytes.length);
  }
  blockingSplice(src: InputStream, len: bigint): bigint {
    return this.splice(src, len);
  }
}
