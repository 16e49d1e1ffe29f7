// A small reader/writer for the parts of the WebAssembly binary format the runner needs: the import,
// table, memory and export sections. It lets us check imports (our wasm-checker) and rewrite every
// memory's and table's maximum so the engine itself refuses growth beyond the run's budget
// (max_memory_mib, maxTableEntries).
import { InvalidModuleError, MemoryLimitError, ResourceLimitError } from '../errors.js';
import { joinBytes } from '../../protocol/index.js';

export const PAGE_BYTES = 65536;

type ExternKind = 'func' | 'table' | 'memory' | 'global' | 'tag';
const KINDS: readonly ExternKind[] = ['func', 'table', 'memory', 'global', 'tag'];

interface Limits {
  readonly min: number;
  readonly max: number | undefined;
  readonly shared: boolean;
  readonly is64: boolean;
}

interface ModuleImport {
  readonly module: string;
  readonly name: string;
  readonly kind: ExternKind;
  readonly limits?: Limits;
}

export interface ModuleInfo {
  readonly imports: ModuleImport[];
  /** Memories defined by the module (imported ones are in `imports`). */
  readonly memories: Limits[];
  /** Tables defined by the module (imported ones are in `imports`). */
  readonly tables: Limits[];
  readonly exports: Array<{ readonly name: string; readonly kind: ExternKind }>;
}

class Reader {
  readonly bytes: Uint8Array;
  pos: number;
  constructor(bytes: Uint8Array, pos = 0) {
    this.bytes = bytes;
    this.pos = pos;
  }
  u8(): number {
    if (this.pos >= this.bytes.length) throw new InvalidModuleError('unexpected end of module');
    return this.bytes[this.pos++] as number;
  }
  leb(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.u8();
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new InvalidModuleError('malformed LEB128');
  }
  name(): string {
    const len = this.leb();
    const text = new TextDecoder().decode(this.bytes.subarray(this.pos, this.pos + len));
    this.pos += len;
    return text;
  }
  limits(): Limits {
    const flags = this.u8();
    if (flags > 7) throw new InvalidModuleError(`bad limits flags ${flags}`);
    const min = this.leb();
    const max = flags & 1 ? this.leb() : undefined;
    return { min, max, shared: (flags & 2) !== 0, is64: (flags & 4) !== 0 };
  }
}

function leb(value: number): number[] {
  const out: number[] = [];
  let v = value;
  do {
    let b = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) b |= 0x80;
    out.push(b);
  } while (v > 0);
  return out;
}

function encodeLimits(l: Limits): number[] {
  const flags = (l.max === undefined ? 0 : 1) | (l.shared ? 2 : 0) | (l.is64 ? 4 : 0);
  return [flags, ...leb(l.min), ...(l.max === undefined ? [] : leb(l.max))];
}

interface Section {
  readonly id: number;
  readonly start: number; // offset of the id byte
  readonly bodyStart: number;
  readonly end: number;
}

function sections(bytes: Uint8Array): Section[] {
  if (
    bytes.length < 8 ||
    bytes[0] !== 0 ||
    bytes[1] !== 0x61 ||
    bytes[2] !== 0x73 ||
    bytes[3] !== 0x6d
  ) {
    throw new InvalidModuleError('not a WebAssembly module (bad magic)');
  }
  if (bytes[4] !== 1 || bytes[5] !== 0 || bytes[6] !== 0 || bytes[7] !== 0) {
    throw new InvalidModuleError('not a WebAssembly core module of version 1 (a component?)');
  }
  const out: Section[] = [];
  const r = new Reader(bytes, 8);
  while (r.pos < bytes.length) {
    const start = r.pos;
    const id = r.u8();
    const size = r.leb();
    const bodyStart = r.pos;
    if (bodyStart + size > bytes.length) throw new InvalidModuleError('section runs past the end');
    out.push({ id, start, bodyStart, end: bodyStart + size });
    r.pos = bodyStart + size;
  }
  return out;
}

type OnLimits = (at: number, end: number, l: Limits) => void;

/** Walks the import section, calling `onLimits` with each import of `kind`'s limits position. */
function readImports(
  bytes: Uint8Array,
  s: Section,
  onLimits?: OnLimits,
  kind: 'memory' | 'table' = 'memory',
): ModuleImport[] {
  const r = new Reader(bytes, s.bodyStart);
  const count = r.leb();
  const out: ModuleImport[] = [];
  for (let i = 0; i < count; i++) {
    const module = r.name();
    const name = r.name();
    const imported = KINDS[r.u8()];
    if (!imported) throw new InvalidModuleError('bad import kind');
    if (imported === 'func') r.leb();
    else if (imported === 'table' || imported === 'memory') {
      if (imported === 'table') r.u8();
      const at = r.pos;
      const limits = r.limits();
      if (imported === kind) onLimits?.(at, r.pos, limits);
      out.push({ module, name, kind: imported, limits });
      continue;
    } else if (imported === 'global') {
      r.u8();
      r.u8();
    } else {
      r.u8();
      r.leb();
    }
    out.push({ module, name, kind: imported });
  }
  return out;
}

function readMemories(bytes: Uint8Array, s: Section, onLimits?: OnLimits): Limits[] {
  const r = new Reader(bytes, s.bodyStart);
  const count = r.leb();
  const out: Limits[] = [];
  for (let i = 0; i < count; i++) {
    const at = r.pos;
    const limits = r.limits();
    onLimits?.(at, r.pos, limits);
    out.push(limits);
  }
  return out;
}

function readTables(bytes: Uint8Array, s: Section, onLimits?: OnLimits): Limits[] {
  const r = new Reader(bytes, s.bodyStart);
  const count = r.leb();
  const out: Limits[] = [];
  for (let i = 0; i < count; i++) {
    // 0x40 0x00 starts a table with an initialiser expression, which we do not parse.
    if (r.u8() === 0x40) throw new InvalidModuleError('tables with initialisers are not supported');
    const at = r.pos;
    const limits = r.limits();
    onLimits?.(at, r.pos, limits);
    out.push(limits);
  }
  return out;
}

function readExports(bytes: Uint8Array, s: Section): ModuleInfo['exports'] {
  const r = new Reader(bytes, s.bodyStart);
  const count = r.leb();
  const out: Array<{ name: string; kind: ExternKind }> = [];
  for (let i = 0; i < count; i++) {
    const name = r.name();
    const kind = KINDS[r.u8()];
    if (!kind) throw new InvalidModuleError('bad export kind');
    r.leb();
    out.push({ name, kind });
  }
  return out;
}

export function inspectModule(bytes: Uint8Array): ModuleInfo {
  const info: ModuleInfo = { imports: [], memories: [], tables: [], exports: [] };
  for (const s of sections(bytes)) {
    if (s.id === 2) info.imports.push(...readImports(bytes, s));
    if (s.id === 4) info.tables.push(...readTables(bytes, s));
    if (s.id === 5) info.memories.push(...readMemories(bytes, s));
    if (s.id === 7) info.exports.push(...readExports(bytes, s));
  }
  return info;
}

/** A copy of the module with the limits of every memory, or every table, replaced by `cap`'s. */
function rewriteLimits(
  bytes: Uint8Array,
  kind: 'memory' | 'table',
  cap: (l: Limits) => Limits,
): Uint8Array {
  const own = kind === 'memory' ? 5 : 4;
  const chunks: Uint8Array[] = [bytes.subarray(0, 8)];
  for (const s of sections(bytes)) {
    if (s.id !== 2 && s.id !== own) {
      chunks.push(bytes.subarray(s.start, s.end));
      continue;
    }
    const body: number[] = [];
    let copied = s.bodyStart;
    const rewrite: OnLimits = (at, end, l) => {
      body.push(...bytes.subarray(copied, at));
      body.push(...encodeLimits(cap(l)));
      copied = end;
    };
    if (s.id === 2) readImports(bytes, s, rewrite, kind);
    else if (kind === 'memory') readMemories(bytes, s, rewrite);
    else readTables(bytes, s, rewrite);
    body.push(...bytes.subarray(copied, s.end));
    chunks.push(Uint8Array.from([s.id, ...leb(body.length), ...body]));
  }
  return joinBytes(chunks);
}

/**
 * Returns a copy of the module in which every memory (defined or imported) has a maximum of at most
 * `maxPages`. A memory whose minimum already exceeds it is refused (ERR_MEMORY_LIMIT).
 */
export function capMemory(bytes: Uint8Array, maxPages: number): Uint8Array {
  return rewriteLimits(bytes, 'memory', (l) => {
    if (l.min > maxPages) throw new MemoryLimitError(l.min, maxPages);
    return { ...l, max: Math.min(l.max ?? maxPages, maxPages) };
  });
}

/**
 * Returns a copy of the module whose tables (defined or imported) together may hold at most
 * `maxEntries` entries: what the minimums leave is shared equally as room to grow. Minimums that
 * already exceed it are refused (ERR_RESOURCE_LIMIT).
 */
export function capTables(bytes: Uint8Array, maxEntries: number): Uint8Array {
  const info = inspectModule(bytes);
  const tables = [
    ...info.tables,
    ...info.imports.flatMap((i) => (i.kind === 'table' && i.limits ? [i.limits] : [])),
  ];
  if (tables.length === 0) return bytes;
  const minimums = tables.reduce((n, t) => n + t.min, 0);
  if (minimums > maxEntries) throw new ResourceLimitError('table-entries', maxEntries, minimums);
  const room = Math.floor((maxEntries - minimums) / tables.length);
  return rewriteLimits(bytes, 'table', (l) => ({
    ...l,
    max: Math.min(l.max ?? Number.POSITIVE_INFINITY, l.min + room),
  }));
}
