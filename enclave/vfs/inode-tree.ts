// The in-memory inode tree behind the virtual file system. It knows nothing about rights: callers
// (the principal-facing Vfs and the WASI host) check rights first. It enforces the byte quota,
// which counts the sizes of all regular files, pseudo files included, and the targets of symbolic
// links (a file with several names counts once), and the limits on directory
// depth and name length. Nothing here recurses: a tree of any depth is walked with an explicit
// stack, so a guest's deep tree cannot overflow the host's call stack.
import { BadPathError, type PseudoFile } from '../../protocol/index.js';
import { FileNotFoundError, QuotaExceededError, ResourceLimitError } from '../errors.js';

/** Path components of the deepest node, and UTF-8 bytes of one name, unless a tree says less. */
export const DEFAULT_MAX_DEPTH = 256;
export const DEFAULT_MAX_NAME_BYTES = 255;

export interface TreeLimits {
  readonly quotaBytes?: number;
  /** Bytes held outside this tree that count against the same quota (the worker's view). */
  readonly usedOutside?: number;
  readonly maxDepth?: number;
  readonly maxNameBytes?: number;
}

interface NodeBase {
  readonly ino: number;
  atim: bigint;
  mtim: bigint;
  ctim: bigint;
}

export interface FileNode extends NodeBase {
  readonly kind: 'file';
  /** Names the file has in the tree (hard links); its bytes are released with the last one. */
  nlink: number;
  /** Backing store; only the first `size` bytes are content (capacity grows by doubling). */
  buf: Uint8Array;
  size: number;
  /** Set on every content change: the runner sends back only dirty or moved files. */
  dirty: boolean;
}

export interface DirNode extends NodeBase {
  readonly kind: 'dir';
  readonly entries: Map<string, FsNode>;
}

/** A symbolic link: its target text, resolved only by the WASI host, beneath a directory fd. */
export interface SymlinkNode extends NodeBase {
  readonly kind: 'symlink';
  readonly target: string;
}

export type FsNode = FileNode | DirNode | SymlinkNode;

/** Longest symbolic link target, in UTF-8 bytes (Linux PATH_MAX less its NUL). */
export const MAX_SYMLINK_BYTES = 4095;

export class InodeTree {
  readonly root: DirNode;
  readonly pseudo = new Map<PseudoFile, FileNode>();
  readonly quotaBytes: number;
  /** Bytes held outside this tree that count against the same quota (the worker's view). */
  readonly usedOutside: number;
  readonly maxDepth: number;
  readonly maxNameBytes: number;
  private used = 0;
  private nextIno = 1;

  constructor(options: TreeLimits = {}) {
    this.quotaBytes = options.quotaBytes ?? Number.POSITIVE_INFINITY;
    this.usedOutside = options.usedOutside ?? 0;
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.maxNameBytes = options.maxNameBytes ?? DEFAULT_MAX_NAME_BYTES;
    this.root = this.newDir();
  }

  /**
   * Fails with ERR_RESOURCE_LIMIT unless `node` (a new node when absent) may sit at `parts`: every
   * name within maxNameBytes and its deepest node, a moved directory's subtree included, within
   * maxDepth.
   */
  checkPlace(parts: readonly string[], node?: FsNode): void {
    for (const name of parts) {
      const bytes = Buffer.byteLength(name);
      if (bytes > this.maxNameBytes)
        throw new ResourceLimitError('name-bytes', this.maxNameBytes, bytes);
    }
    const depth = parts.length + (node ? InodeTree.height(node) : 0);
    if (depth > this.maxDepth)
      throw new ResourceLimitError('directory-depth', this.maxDepth, depth);
  }

  /** Levels below `node` (0 for a file or an empty directory). */
  static height(node: FsNode): number {
    let height = 0;
    const stack: Array<[FsNode, number]> = [[node, 0]];
    for (let top = stack.pop(); top; top = stack.pop()) {
      const [n, level] = top;
      if (level > height) height = level;
      if (n.kind === 'dir') for (const child of n.entries.values()) stack.push([child, level + 1]);
    }
    return height;
  }

  get usedBytes(): number {
    return this.used;
  }

  newDir(): DirNode {
    return { kind: 'dir', ino: this.nextIno++, entries: new Map(), atim: 0n, mtim: 0n, ctim: 0n };
  }

  newFile(data?: Uint8Array): FileNode {
    const content = data ?? new Uint8Array(0);
    this.reserve(content.length);
    return {
      kind: 'file',
      ino: this.nextIno++,
      buf: content,
      size: content.length,
      nlink: 1,
      dirty: true,
      atim: 0n,
      mtim: 0n,
      ctim: 0n,
    };
  }

  /** A symbolic link; its target's bytes count against the quota like a file's. */
  newSymlink(target: string): SymlinkNode {
    this.reserve(Buffer.byteLength(target));
    return { kind: 'symlink', ino: this.nextIno++, target, atim: 0n, mtim: 0n, ctim: 0n };
  }

  /** The node at `parts`, symbolic links not followed (a link on the way is not a directory). */
  lookup(parts: readonly string[]): FsNode | undefined {
    let node: FsNode = this.root;
    for (const part of parts) {
      if (node.kind !== 'dir') return undefined;
      const next: FsNode | undefined = node.entries.get(part);
      if (!next) return undefined;
      node = next;
    }
    return node;
  }

  /** Creates missing directories along `parts` and returns the last one. */
  mkdirp(parts: readonly string[]): DirNode {
    this.checkPlace(parts);
    let dir = this.root;
    for (const [i, part] of parts.entries()) {
      let next = dir.entries.get(part);
      if (!next) {
        next = this.newDir();
        dir.entries.set(part, next);
      }
      if (next.kind !== 'dir')
        throw new BadPathError(`/${parts.slice(0, i + 1).join('/')}`, 'not a directory');
      dir = next;
    }
    return dir;
  }

  pseudoFile(name: PseudoFile): FileNode {
    let node = this.pseudo.get(name);
    if (!node) {
      node = this.newFile();
      node.dirty = false;
      this.pseudo.set(name, node);
    }
    return node;
  }

  /** Writes `bytes` at `offset`, growing the file (zero-filled) as needed. */
  writeAt(file: FileNode, offset: number, bytes: Uint8Array): void {
    const end = offset + bytes.length;
    if (end > file.size) this.resize(file, end);
    file.buf.set(bytes, offset);
    file.dirty = true;
  }

  readAt(file: FileNode, offset: number, length: number): Uint8Array {
    const start = Math.min(offset, file.size);
    return file.buf.subarray(start, Math.min(file.size, start + length));
  }

  resize(file: FileNode, size: number): void {
    if (size > file.size) this.reserve(size - file.size);
    else this.used -= file.size - size;
    if (size > file.buf.length) {
      // Capacity grows by doubling, but never past what the quota still allows: the bytes a guest
      // makes the host hold stay within the quota, not twice it.
      const headroom = this.quotaBytes - this.usedOutside - this.used;
      const grown = new Uint8Array(
        Math.max(size, Math.min(file.buf.length * 2, size + 64 * 2 ** 20, size + headroom)),
      );
      grown.set(file.buf.subarray(0, file.size));
      file.buf = grown;
    } else if (size < file.size) {
      file.buf.fill(0, size, file.size);
    }
    file.size = size;
    file.dirty = true;
  }

  /**
   * A name of `node` is gone (unlinked or replaced): a file's bytes are forgotten with its last
   * name, a directory's with everything below it.
   */
  release(node: FsNode): void {
    const stack: FsNode[] = [node];
    for (let n = stack.pop(); n; n = stack.pop()) {
      if (n.kind === 'file') {
        n.nlink -= 1;
        if (n.nlink <= 0) this.used -= n.size;
      } else if (n.kind === 'symlink') this.used -= Buffer.byteLength(n.target);
      else if (n.kind === 'dir') for (const child of n.entries.values()) stack.push(child);
    }
  }

  /** Fails with ERR_QUOTA_EXCEEDED unless `bytes` more fit. */
  reserve(bytes: number): void {
    const wanted = this.usedOutside + this.used + bytes;
    if (wanted > this.quotaBytes) throw new QuotaExceededError(this.quotaBytes, wanted);
    this.used += bytes;
  }

  /** Content of a file as an exact-length copy. */
  static contents(file: FileNode): Uint8Array {
    return file.buf.slice(0, file.size);
  }

  requireFile(parts: readonly string[], path: string): FileNode {
    const node = this.lookup(parts);
    if (!node) throw new FileNotFoundError(path);
    if (node.kind === 'dir') throw new BadPathError(path, 'is a directory');
    if (node.kind === 'symlink') throw new BadPathError(path, 'is a symbolic link');
    return node;
  }
}
