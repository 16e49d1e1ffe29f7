// The virtual file system of one computation: one inode tree for its whole lifetime, seen by each
// principal through its rights table. Participants use it directly (provisioning data, reading
// results); programs see it through the WASI host, in a worker, via snapshots and diffs.
import {
  type RightsTable,
  WasiRight,
  hasRights,
  BadPathError,
  isPseudoFile,
  normalizePath,
  PSEUDO_FILES,
  type PseudoFile,
  splitPath,
  rightsAt,
} from '../../protocol/index.js';
import { AccessDeniedError, FileNotFoundError } from '../errors.js';
import { InodeTree, type DirNode, type FileNode } from './inode-tree.js';
import {
  applyDiff,
  placeEntry,
  takeSnapshot,
  walk,
  type VfsDiff,
  type VfsSnapshot,
} from './snapshot.js';

/** The byte quota of a file system whose policy sets none (`storage_quota_bytes`). */
export const DEFAULT_QUOTA_BYTES = 2 ** 30;

export interface VfsOptions {
  /** Byte quota over all file contents; DEFAULT_QUOTA_BYTES when absent. */
  readonly quotaBytes?: number;
  /** Deepest directory nesting and longest name in bytes (the execution budget's defaults when absent). */
  readonly maxDepth?: number;
  readonly maxNameBytes?: number;
}

export interface VfsEntry {
  readonly name: string;
  readonly kind: 'file' | 'dir' | 'symlink';
  readonly size: number;
}

export class Vfs {
  readonly tree: InodeTree;

  constructor(options: VfsOptions = {}) {
    this.tree = new InodeTree({
      ...options,
      quotaBytes: options.quotaBytes ?? DEFAULT_QUOTA_BYTES,
    });
  }

  get usedBytes(): number {
    return this.tree.usedBytes;
  }

  get quotaBytes(): number {
    return this.tree.quotaBytes;
  }

  /** Writes (or appends to) a file as the principal holding `rights`; parent directories are created. */
  write(
    rights: RightsTable,
    path: string,
    bytes: Uint8Array,
    options: { append?: boolean } = {},
  ): void {
    const target = normalizePath(path);
    const exists = isPseudoFile(target) || this.tree.lookup(splitPath(target)) !== undefined;
    const needed = WasiRight.FD_WRITE | (exists ? 0 : WasiRight.PATH_CREATE_FILE);
    this.check(rights, target, needed, exists ? 'write' : 'write and create');
    this.writeUnchecked(target, bytes, options);
  }

  /** Writes without a rights check: for the host's own loading (e.g. `vc run --dir`). */
  writeUnchecked(path: string, bytes: Uint8Array, options: { append?: boolean } = {}): void {
    const file = this.fileFor(normalizePath(path), true);
    if (!options.append) this.tree.resize(file, 0);
    this.tree.writeAt(file, file.size, bytes);
  }

  /** A copy of a file's content, read as the principal holding `rights`. */
  read(rights: RightsTable, path: string): Uint8Array {
    const target = normalizePath(path);
    this.check(rights, target, WasiRight.FD_READ, 'read');
    return this.readUnchecked(target);
  }

  readUnchecked(path: string): Uint8Array {
    return InodeTree.contents(this.fileFor(normalizePath(path), false));
  }

  exists(path: string): boolean {
    const target = normalizePath(path);
    if (isPseudoFile(target)) return this.tree.pseudo.has(target);
    return this.tree.lookup(splitPath(target)) !== undefined;
  }

  /** The entries of a directory, sorted by name; needs `fd_readdir` on it. */
  list(rights: RightsTable, dir: string): VfsEntry[] {
    const target = normalizePath(dir);
    this.check(rights, target, WasiRight.FD_READDIR, 'readdir');
    const node = isPseudoFile(target) ? undefined : this.tree.lookup(splitPath(target));
    if (!node) throw new FileNotFoundError(target);
    if (node.kind !== 'dir') throw new BadPathError(target, 'not a directory');
    return [...node.entries]
      .map(([name, child]) => ({
        name,
        kind: child.kind,
        size:
          child.kind === 'file' ? child.size : child.kind === 'symlink' ? child.target.length : 0,
      }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Every regular file under `dir` (absolute paths, sorted), without rights checks. */
  filesUnder(dir: string): string[] {
    const target = normalizePath(dir);
    const node = this.tree.lookup(splitPath(target));
    const found: string[] = [];
    if (!node) return found;
    walk(node, target, (path, child) => {
      if (child.kind === 'file') found.push(path);
    });
    return found.sort();
  }

  /**
   * The standard streams a program wrote (`stdout`, `stderr`, as Veracruz names them in policies),
   * and `stdin` once provisioned: readable as results by whoever holds `r` on them. An empty stream
   * is no result (as in Veracruz).
   */
  streamsWithContent(): PseudoFile[] {
    return PSEUDO_FILES.filter((name) => (this.tree.pseudo.get(name)?.size ?? 0) > 0);
  }

  /** Removes a file or a symbolic link; needs `path_unlink_file`. */
  remove(rights: RightsTable, path: string): void {
    const target = normalizePath(path);
    this.check(rights, target, WasiRight.PATH_UNLINK_FILE, 'unlink');
    const parts = splitPath(target);
    const parent = this.tree.lookup(parts.slice(0, -1));
    const name = parts[parts.length - 1] as string;
    const node = parent?.kind === 'dir' ? parent.entries.get(name) : undefined;
    if (parent?.kind !== 'dir' || !node) throw new FileNotFoundError(target);
    if (node.kind === 'dir') throw new BadPathError(target, 'is a directory');
    this.tree.release(node);
    parent.entries.delete(name);
  }

  mkdir(path: string): void {
    this.tree.mkdirp(splitPath(normalizePath(path)));
  }

  /**
   * Makes `path` a symbolic link to `target` (kept as text, resolved only by the WASI host),
   * without a rights check: for the host's own loading (`vc run --dir`).
   */
  symlinkUnchecked(path: string, target: string): void {
    placeEntry(this.tree, { path: normalizePath(path), kind: 'symlink', target });
  }

  /** Makes `path` another name of the file at `existing` (a hard link), without a rights check. */
  linkUnchecked(path: string, existing: string): void {
    placeEntry(this.tree, {
      path: normalizePath(path),
      kind: 'link',
      target: normalizePath(existing),
    });
  }

  /** The part a principal may see, for a worker (see snapshot.ts). */
  snapshot(rights: RightsTable): VfsSnapshot {
    return takeSnapshot(this.tree, rights);
  }

  apply(diff: VfsDiff): void {
    applyDiff(this.tree, diff);
  }

  private check(rights: RightsTable, path: string, needed: number, what: string): void {
    if (!hasRights(rightsAt(rights, path), needed)) throw new AccessDeniedError(path, what);
  }

  private fileFor(path: string, create: boolean): FileNode {
    if (isPseudoFile(path)) {
      if (!create && !this.tree.pseudo.has(path)) throw new FileNotFoundError(path);
      return this.tree.pseudoFile(path);
    }
    const parts = splitPath(path);
    if (parts.length === 0) throw new BadPathError(path, 'is a directory');
    const existing = this.tree.lookup(parts);
    if (existing?.kind === 'dir') throw new BadPathError(path, 'is a directory');
    if (existing?.kind === 'symlink') throw new BadPathError(path, 'is a symbolic link');
    // A file with other names (hard links) is written as a file of its own: a participant's write
    // never reaches a path it holds no right on.
    if (existing && (!create || existing.nlink <= 1)) return existing;
    if (!create) throw new FileNotFoundError(path);
    if (existing) {
      const copy = this.tree.newFile(InodeTree.contents(existing));
      const parent = this.tree.lookup(parts.slice(0, -1)) as DirNode;
      this.tree.release(existing);
      parent.entries.set(parts[parts.length - 1] as string, copy);
      return copy;
    }
    this.tree.checkPlace(parts);
    const parent = this.tree.mkdirp(parts.slice(0, -1));
    const file = this.tree.newFile();
    parent.entries.set(parts[parts.length - 1] as string, file);
    return file;
  }
}
