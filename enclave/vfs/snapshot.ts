// Moving part of the file system into a worker and the changes back. A snapshot carries only the
// nodes the executing principal holds some right on (data it may not touch never enters the worker);
// the worker returns a diff, which the caller applies in one step, or not at all. Every walk is
// iterative (an explicit stack), whatever depth a guest gave the tree.
import {
  type RightsTable,
  PSEUDO_FILES,
  isPseudoFile,
  splitPath,
  rightsAt,
} from '../../protocol/index.js';
import { InodeTree, type FileNode, type FsNode } from './inode-tree.js';
import { preopenDirs } from './rights.js';

export interface SnapshotEntry {
  readonly path: string;
  readonly kind: 'file' | 'dir';
  readonly data?: Uint8Array;
}

export interface VfsSnapshot {
  readonly entries: SnapshotEntry[];
  readonly quotaBytes: number;
  readonly usedOutside: number;
  readonly maxDepth: number;
  readonly maxNameBytes: number;
}

export interface VfsDiff {
  /** Paths present in the snapshot that are gone (or replaced); applied first, deepest first. */
  readonly removed: string[];
  /** New or changed nodes; directories come before their children. */
  readonly upserts: SnapshotEntry[];
}

/**
 * Calls `visit` with every node below `dir` (pre-order: a directory before its children) and its
 * absolute path; `base` is the path of `dir` itself.
 */
export function walk(dir: FsNode, base: string, visit: (path: string, node: FsNode) => void): void {
  const prefix = base === '/' ? '' : base;
  const stack: Array<[string, FsNode]> = [[prefix, dir]];
  for (let top = stack.pop(); top; top = stack.pop()) {
    const [path, node] = top;
    if (node !== dir) visit(path, node);
    if (node.kind !== 'dir') continue;
    // Pushed in reverse so that siblings are visited in insertion order.
    const children = [...node.entries];
    for (let i = children.length - 1; i >= 0; i--) {
      const [name, child] = children[i] as [string, FsNode];
      stack.push([`${path}/${name}`, child]);
    }
  }
}

/** The part of `tree` visible to a principal with `rights`; file bytes are copied. */
export function takeSnapshot(tree: InodeTree, rights: RightsTable): VfsSnapshot {
  const entries: SnapshotEntry[] = [];
  let size = 0;
  const preopens = preopenDirs(rights);
  const visible = (path: string): boolean =>
    rightsAt(rights, path) !== 0 || preopens.some((dir) => dir.startsWith(`${path}/`));
  walk(tree.root, '/', (path, node) => {
    if (!visible(path)) return;
    if (node.kind === 'dir') entries.push({ path, kind: 'dir' });
    else {
      entries.push({ path, kind: 'file', data: InodeTree.contents(node) });
      size += node.size;
    }
  });
  const stdin = tree.pseudo.get('stdin');
  if (stdin && rightsAt(rights, 'stdin') !== 0) {
    entries.push({ path: 'stdin', kind: 'file', data: InodeTree.contents(stdin) });
    size += stdin.size;
  }
  return {
    entries,
    quotaBytes: tree.quotaBytes,
    usedOutside: tree.usedBytes - size,
    maxDepth: tree.maxDepth,
    maxNameBytes: tree.maxNameBytes,
  };
}

/** Buffers of a snapshot or diff, to pass as a transfer list (avoids a second copy). */
export function transferables(entries: readonly SnapshotEntry[]): ArrayBuffer[] {
  return entries.flatMap((e) => (e.data ? [e.data.buffer as ArrayBuffer] : []));
}

/** A tree built from a snapshot, remembering where each node came from to compute the diff. */
export class TrackedTree {
  readonly tree: InodeTree;
  private readonly origin = new Map<FsNode, string>();

  constructor(snapshot: VfsSnapshot) {
    this.tree = new InodeTree(snapshot);
    for (const entry of snapshot.entries) {
      if (isPseudoFile(entry.path)) {
        const node = this.tree.pseudoFile(entry.path);
        this.tree.writeAt(node, 0, entry.data ?? new Uint8Array(0));
        node.dirty = false;
        continue;
      }
      const parts = splitPath(entry.path);
      const node =
        entry.kind === 'dir' ? this.tree.mkdirp(parts) : this.placeFile(parts, entry.data);
      this.origin.set(node, entry.path);
    }
  }

  private placeFile(parts: string[], data: Uint8Array | undefined): FsNode {
    this.tree.checkPlace(parts);
    const parent = this.tree.mkdirp(parts.slice(0, -1));
    const node = this.tree.newFile(data);
    node.dirty = false;
    parent.entries.set(parts[parts.length - 1] as string, node);
    return node;
  }

  /** What changed since the snapshot; file bytes are exact-length copies. */
  diff(): VfsDiff {
    const upserts: SnapshotEntry[] = [];
    walk(this.tree.root, '/', (path, node) => {
      const moved = this.origin.get(node) !== path;
      if (node.kind === 'dir' && moved) upserts.push({ path, kind: 'dir' });
      if (node.kind === 'file' && (moved || node.dirty)) {
        upserts.push({ path, kind: 'file', data: handOver(node) });
      }
    });
    for (const name of PSEUDO_FILES) {
      const node = this.tree.pseudo.get(name);
      if (node?.dirty) upserts.push({ path: name, kind: 'file', data: handOver(node) });
    }
    const removed = [...this.origin.entries()]
      .filter(([node, path]) => this.tree.lookup(splitPath(path)) !== node)
      .map(([, path]) => path)
      .sort((a, b) => b.length - a.length);
    return { removed, upserts };
  }
}

/**
 * A file's content for a diff: its own buffer when that holds exactly the content (the worker's tree
 * is dropped once the diff is sent, so no second copy of every output is made), else a copy.
 */
function handOver(file: FileNode): Uint8Array {
  const { buf, size } = file;
  return buf.byteOffset === 0 && buf.buffer.byteLength === size ? buf : InodeTree.contents(file);
}

/** Applies a worker's diff to the shared tree. */
export function applyDiff(tree: InodeTree, diff: VfsDiff): void {
  for (const path of diff.removed) {
    const parts = splitPath(path);
    const parent = tree.lookup(parts.slice(0, -1));
    const name = parts[parts.length - 1] as string;
    const node = parent?.kind === 'dir' ? parent.entries.get(name) : undefined;
    if (parent?.kind === 'dir' && node) {
      tree.release(node);
      parent.entries.delete(name);
    }
  }
  const depth = (path: string): number => {
    let n = 0;
    for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) n++;
    return n;
  };
  const ordered = diff.upserts.map((entry) => ({ entry, depth: depth(entry.path) }));
  ordered.sort((a, b) => a.depth - b.depth);
  for (const { entry } of ordered) applyUpsert(tree, entry);
}

function applyUpsert(tree: InodeTree, entry: SnapshotEntry): void {
  if (isPseudoFile(entry.path)) {
    const node = tree.pseudoFile(entry.path);
    tree.resize(node, 0);
    tree.writeAt(node, 0, entry.data ?? new Uint8Array(0));
    return;
  }
  const parts = splitPath(entry.path);
  if (entry.kind === 'dir') {
    tree.mkdirp(parts);
    return;
  }
  tree.checkPlace(parts);
  const parent = tree.mkdirp(parts.slice(0, -1));
  const name = parts[parts.length - 1] as string;
  const old = parent.entries.get(name);
  if (old) tree.release(old);
  parent.entries.set(name, tree.newFile(entry.data));
}
