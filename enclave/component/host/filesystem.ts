// `wasi:filesystem` (types, preopens) over the worker's inode tree, checked against the executing
// principal's rights table with the same bits as the preview 1 host: a denied right is `access`, a
// path leaving its pre-opened directory (absolute, or `..` above it) is `not-permitted`.
import {
  type RightsTable,
  WasiRight,
  hasRights,
  isVcError,
  BadPathError,
  resolveBeneath,
  splitPath,
  rightsAt,
} from '../../../protocol/index.js';
import type { DirNode, FileNode, FsNode, InodeTree } from '../../vfs/inode-tree.js';
import { preopenDirs } from '../../vfs/rights.js';
import { FsError, IoError, StreamError, type FsErrorCode } from './errors.js';
import { InputStream, OutputStream } from './io.js';

export interface FsContext {
  readonly tree: InodeTree;
  readonly rights: RightsTable;
}

interface PathFlags {
  symlinkFollow?: boolean;
}
interface OpenFlags {
  create?: boolean;
  directory?: boolean;
  exclusive?: boolean;
  truncate?: boolean;
}
interface DescriptorFlags {
  read?: boolean;
  write?: boolean;
  mutateDirectory?: boolean;
}

type DescriptorType = 'directory' | 'regular-file' | 'symbolic-link';

function typeOf(node: FsNode): DescriptorType {
  if (node.kind === 'symlink') return 'symbolic-link';
  return node.kind === 'dir' ? 'directory' : 'regular-file';
}

function datetime(ns: bigint): { seconds: bigint; nanoseconds: number } {
  return { seconds: ns / 1_000_000_000n, nanoseconds: Number(ns % 1_000_000_000n) };
}

/**
 * Runs a tree operation, turning a quota refusal into the WASI `quota` code and a depth or name
 * length beyond the budget into `name-too-long`.
 */
function guarded<T>(operation: () => T, fail: (code: FsErrorCode) => Error): T {
  try {
    return operation();
  } catch (error) {
    if (isVcError(error, 'ERR_QUOTA_EXCEEDED')) throw fail('quota');
    if (isVcError(error, 'ERR_RESOURCE_LIMIT')) throw fail('name-too-long');
    throw error;
  }
}

/** Fails with `name-too-long` unless `node` (a new node when absent) may sit at `path`. */
function checkPlace(ctx: FsContext, path: string, node?: FsNode): void {
  guarded(
    () => ctx.tree.checkPlace(splitPath(path), node),
    (code) => new FsError(code),
  );
}

/** Index of a file for the `metadata-hash` functions. */
function metadataHashOf(node: FsNode): { lower: bigint; upper: bigint } {
  return { lower: BigInt(node.ino), upper: 0n };
}

export class Descriptor {
  readonly ctx: FsContext;
  readonly node: FsNode;
  /** Absolute normalized path at open time. */
  readonly path: string;
  /** The pre-opened directory this descriptor was reached from: `..` may not climb above it. */
  readonly root: string;
  readonly flags: DescriptorFlags;

  constructor(ctx: FsContext, node: FsNode, path: string, root: string, flags: DescriptorFlags) {
    this.ctx = ctx;
    this.node = node;
    this.path = path;
    this.root = root;
    this.flags = flags;
  }

  /** The absolute path `relative` names from this directory, refusing escapes. */
  resolve(relative: string): string {
    if (this.node.kind !== 'dir') throw new FsError('not-directory');
    if (relative.startsWith('/')) throw new FsError('not-permitted');
    if (relative.includes('\0')) throw new FsError('invalid');
    try {
      // Relative to the pre-opened directory, which stands for the root of the shared path rules.
      return resolveBeneath(this.root, `${this.path.slice(this.root.length)}/${relative}`);
    } catch (error) {
      if (error instanceof BadPathError) throw new FsError('not-permitted');
      throw error;
    }
  }

  private require(path: string, needed: number): void {
    if (!hasRights(rightsAt(this.ctx.rights, path), needed)) throw new FsError('access');
  }

  private lookup(path: string): FsNode | undefined {
    return this.ctx.tree.lookup(splitPath(path));
  }

  /** The parent directory node of `path` and the last name, or `no-entry` / `not-directory`. */
  private parentOf(path: string): { dir: DirNode; name: string } {
    const parts = splitPath(path);
    const name = parts.pop();
    if (name === undefined) throw new FsError('exist');
    const dir = this.ctx.tree.lookup(parts);
    if (!dir) throw new FsError('no-entry');
    if (dir.kind !== 'dir') throw new FsError('not-directory');
    return { dir, name };
  }

  private file(): FileNode {
    if (this.node.kind !== 'file') throw new FsError('is-directory');
    return this.node;
  }

  openAt(
    _pathFlags: PathFlags,
    relative: string,
    open: OpenFlags,
    flags: DescriptorFlags,
  ): Descriptor {
    const path = this.resolve(relative);
    const existing = this.lookup(path);
    const writing = flags.write === true || open.truncate === true;
    let needed = WasiRight.PATH_OPEN;
    if (flags.read) needed |= WasiRight.FD_READ;
    if (writing) needed |= WasiRight.FD_WRITE;
    if (open.truncate) needed |= WasiRight.PATH_FILESTAT_SET_SIZE;
    if (!existing && open.create) needed |= WasiRight.PATH_CREATE_FILE;
    this.require(path, needed);
    // Symbolic links are not followed on this path (the preview 1 host follows them).
    if (existing?.kind === 'symlink') throw new FsError('loop');
    if (existing && open.create && open.exclusive) throw new FsError('exist');
    if (existing?.kind === 'dir' && writing) throw new FsError('is-directory');
    if (existing && existing.kind !== 'dir' && open.directory) throw new FsError('not-directory');
    const node = existing ?? this.create(path, open);
    if (open.truncate && node.kind === 'file') this.ctx.tree.resize(node, 0);
    return new Descriptor(this.ctx, node, path, this.root, flags);
  }

  private create(path: string, open: OpenFlags): FileNode {
    if (!open.create || open.directory) throw new FsError('no-entry');
    const { dir, name } = this.parentOf(path);
    checkPlace(this.ctx, path);
    const file = this.ctx.tree.newFile();
    dir.entries.set(name, file);
    return file;
  }

  readViaStream(offset: bigint): InputStream {
    if (!this.flags.read) throw new FsError('bad-descriptor');
    const file = this.file();
    let position = Number(offset);
    return new InputStream({
      read: (len) => {
        const bytes = this.ctx.tree.readAt(file, position, len).slice();
        position += bytes.length;
        return bytes;
      },
    });
  }

  writeViaStream(offset: bigint): OutputStream {
    if (!this.flags.write) throw new FsError('bad-descriptor');
    const file = this.file();
    let position = Number(offset);
    return new OutputStream({
      write: (bytes) => {
        guarded(() => this.ctx.tree.writeAt(file, position, bytes), StreamError.failed);
        position += bytes.length;
      },
    });
  }

  appendViaStream(): OutputStream {
    if (!this.flags.write) throw new FsError('bad-descriptor');
    const file = this.file();
    return new OutputStream({
      write: (bytes) =>
        guarded(() => this.ctx.tree.writeAt(file, file.size, bytes), StreamError.failed),
    });
  }

  read(length: bigint, offset: bigint): [Uint8Array, boolean] {
    if (!this.flags.read) throw new FsError('bad-descriptor');
    const file = this.file();
    const bytes = this.ctx.tree.readAt(file, Number(offset), Number(length)).slice();
    return [bytes, Number(offset) + bytes.length >= file.size];
  }

  write(buffer: Uint8Array, offset: bigint): bigint {
    if (!this.flags.write) throw new FsError('bad-descriptor');
    const file = this.file();
    guarded(
      () => this.ctx.tree.writeAt(file, Number(offset), buffer),
      (code) => new FsError(code),
    );
    return BigInt(buffer.length);
  }

  setSize(size: bigint): void {
    if (!this.flags.write) throw new FsError('bad-descriptor');
    this.require(this.path, WasiRight.FD_FILESTAT_SET_SIZE);
    const file = this.file();
    guarded(
      () => this.ctx.tree.resize(file, Number(size)),
      (code) => new FsError(code),
    );
  }

  getFlags(): DescriptorFlags {
    return { ...this.flags };
  }

  getType(): DescriptorType {
    return typeOf(this.node);
  }

  stat(): object {
    return statOf(this.node);
  }

  statAt(_pathFlags: PathFlags, relative: string): object {
    const path = this.resolve(relative);
    this.require(path, WasiRight.PATH_FILESTAT_GET);
    const node = this.lookup(path);
    if (!node) throw new FsError('no-entry');
    return statOf(node);
  }

  readDirectory(): DirectoryEntryStream {
    if (this.node.kind !== 'dir') throw new FsError('not-directory');
    this.require(this.path, WasiRight.FD_READDIR);
    const entries = [...this.node.entries]
      .map(([name, child]) => ({ name, type: typeOf(child) }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return new DirectoryEntryStream(entries);
  }

  createDirectoryAt(relative: string): void {
    const path = this.resolve(relative);
    this.require(path, WasiRight.PATH_CREATE_DIRECTORY);
    const { dir, name } = this.parentOf(path);
    if (dir.entries.has(name)) throw new FsError('exist');
    checkPlace(this.ctx, path);
    dir.entries.set(name, this.ctx.tree.newDir());
  }

  unlinkFileAt(relative: string): void {
    const path = this.resolve(relative);
    this.require(path, WasiRight.PATH_UNLINK_FILE);
    const { dir, name } = this.parentOf(path);
    const node = dir.entries.get(name);
    if (!node) throw new FsError('no-entry');
    if (node.kind === 'dir') throw new FsError('is-directory');
    this.ctx.tree.release(node);
    dir.entries.delete(name);
  }

  removeDirectoryAt(relative: string): void {
    const path = this.resolve(relative);
    this.require(path, WasiRight.PATH_REMOVE_DIRECTORY);
    const { dir, name } = this.parentOf(path);
    const node = dir.entries.get(name);
    if (!node) throw new FsError('no-entry');
    if (node.kind !== 'dir') throw new FsError('not-directory');
    if (node.entries.size > 0) throw new FsError('not-empty');
    dir.entries.delete(name);
  }

  renameAt(oldRelative: string, target: Descriptor, newRelative: string): void {
    const from = this.resolve(oldRelative);
    const to = target.resolve(newRelative);
    this.require(from, WasiRight.PATH_RENAME_SOURCE);
    this.require(to, WasiRight.PATH_RENAME_TARGET);
    const source = this.parentOf(from);
    const node = source.dir.entries.get(source.name);
    if (!node) throw new FsError('no-entry');
    if (node.kind === 'dir' && `${to}/`.startsWith(`${from}/`)) throw new FsError('invalid');
    const dest = this.parentOf(to);
    checkPlace(this.ctx, to, node);
    const replaced = dest.dir.entries.get(dest.name);
    if (replaced && replaced !== node) {
      if (replaced.kind !== node.kind)
        throw new FsError(replaced.kind === 'dir' ? 'is-directory' : 'not-directory');
      if (replaced.kind === 'dir' && replaced.entries.size > 0) throw new FsError('not-empty');
      this.ctx.tree.release(replaced);
    }
    source.dir.entries.delete(source.name);
    dest.dir.entries.set(dest.name, node);
  }

  isSameObject(other: Descriptor): boolean {
    return other.node === this.node;
  }

  metadataHash(): { lower: bigint; upper: bigint } {
    return metadataHashOf(this.node);
  }

  metadataHashAt(_pathFlags: PathFlags, relative: string): { lower: bigint; upper: bigint } {
    const path = this.resolve(relative);
    this.require(path, WasiRight.PATH_FILESTAT_GET);
    const node = this.lookup(path);
    if (!node) throw new FsError('no-entry');
    return metadataHashOf(node);
  }

  // No links, symlinks or timestamps in the virtual file system; syncing and advice are no-ops.
  linkAt(): void {
    throw new FsError('not-permitted');
  }
  symlinkAt(): void {
    throw new FsError('not-permitted');
  }
  readlinkAt(): string {
    throw new FsError('invalid');
  }
  setTimes(): void {
    throw new FsError('not-permitted');
  }
  setTimesAt(): void {
    throw new FsError('not-permitted');
  }
  advise(): void {}
  sync(): void {}
  syncData(): void {}
}

function statOf(node: FsNode): object {
  return {
    type: typeOf(node),
    linkCount: 1n,
    size: BigInt(node.kind === 'file' ? node.size : 0),
    dataAccessTimestamp: datetime(node.atim),
    dataModificationTimestamp: datetime(node.mtim),
    statusChangeTimestamp: datetime(node.ctim),
  };
}

export class DirectoryEntryStream {
  private readonly entries: Array<{ name: string; type: DescriptorType }>;
  constructor(entries: Array<{ name: string; type: DescriptorType }>) {
    this.entries = entries;
  }
  readDirectoryEntry(): { name: string; type: DescriptorType } | undefined {
    return this.entries.shift();
  }
}

/** `filesystem-error-code`: the code behind a stream's `last-operation-failed` error. */
export function filesystemErrorCode(error: IoError): FsErrorCode | undefined {
  return error instanceof IoError ? error.fsCode : undefined;
}

/** The pre-opened directories: every directory prefix of the principal's rights table. */
export function preopens(ctx: FsContext): Array<[Descriptor, string]> {
  return preopenDirs(ctx.rights).map((dir) => {
    const node = ctx.tree.mkdirp(splitPath(dir));
    const flags = { read: true, mutateDirectory: true };
    return [new Descriptor(ctx, node, dir, dir, flags), dir];
  });
}
