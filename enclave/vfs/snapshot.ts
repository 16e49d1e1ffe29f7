// Moving part of the file system into a worker and the changes back. A snapshot carries only the
// nodes the executing principal holds some right on (data it may not touch never enters the worker);
// the worker returns a diff, which the caller applies in one step, or not at all. Every walk is
// iterative (an explicit stack), whatever depth a guest gave the tree.
import {
  BadPathError,
  type RightsTable,
  PSEUDO_FILES,
  isPseudoFile,
  splitPath,
  rightsAt,
} from '../../protocol/index.js';
import { InodeTree, type FileNode, type FsNode } from './inode-tree.js';
import { preopenDirs } from './rights.js';

/**
 * One node of a snapshot or diff: a directory, a file with its bytes, a symbolic link with its
 * target, or another name (`link`) of the file at `target` (a hard link).
 */
export interface SnapshotEntry {
  readonly path: string;
  readonly kind: 'file' | 'dir' | 'symlink' | 'link';
  readonly data?: Uint8Array;
  /** A symbolic link's target text, or the path of the file a `link` is another name of. */
  readonly target?: string;
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

/**
 * The part of `tree` visible to a principal with `rights`; file bytes are copied. A file with
 * several names keeps them as hard links only between names where the principal holds the same
 * rights (a write through one name can then reach no name it may not write); elsewhere each
 * name is a copy of its own.
 */
export function takeSnapshot(tree: InodeTree, rights: RightsTable): VfsSnapshot {
  const entries: SnapshotEntry[] = [];
  let size = 0;
  const preopens = preopenDirs(rights);
  const visible = (path: string): boolean =>
    rightsAt(rights, path) !== 0 || preopens.some((dir) => dir.startsWith(`${path}/`));
  const names = new Map<FileNode, string[]>();
  walk(tree.root, '/', (path, node) => {
    if (!visible(path)) return;
    if (node.kind === 'dir') entries.push({ path, kind: 'dir' });
    else if (node.kind === 'symlink') {
      entries.push({ path, kind: 'symlink', target: node.target });
      size += Buffer.byteLength(node.target);
    } else {
      const same = node.nlink > 1 ? names.get(node) : undefined;
      const first = same?.find((other) => rightsAt(rights, other) === rightsAt(rights, path));
      if (first !== undefined) entries.push({ path, kind: 'link', target: first });
      else {
        entries.push({ path, kind: 'file', data: InodeTree.contents(node) });
        size += node.size;
      }
      if (node.nlink > 1) names.set(node, [...(same ?? []), path]);
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
  /** Where each node of the snapshot was (a file with hard links has several names). */
  private readonly origin = new Map<FsNode, Set<string>>();

  constructor(snapshot: VfsSnapshot) {
    this.tree = new InodeTree(snapshot);
    for (const entry of snapshot.entries) {
      if (isPseudoFile(entry.path)) {
        const node = this.tree.pseudoFile(entry.path);
        this.tree.writeAt(node, 0, entry.data ?? new Uint8Array(0));
        node.dirty = false;
        continue;
      }
      const node = placeEntry(this.tree, entry);
      if (node.kind === 'file') node.dirty = false;
      const known = this.origin.get(node);
      if (known) known.add(entry.path);
      else this.origin.set(node, new Set([entry.path]));
    }
  }

  /** What changed since the snapshot; file bytes are exact-length copies. */
  diff(): VfsDiff {
    const upserts: SnapshotEntry[] = [];
    // A file's first name in this walk carries its bytes; its other names are links to it, sent
    // again whenever the first was (the receiving tree then holds a new node there).
    const first = new Map<FileNode, { path: string; sent: boolean }>();
    walk(this.tree.root, '/', (path, node) => {
      const moved = !this.origin.get(node)?.has(path);
      if (node.kind === 'dir' && moved) upserts.push({ path, kind: 'dir' });
      if (node.kind === 'symlink' && moved)
        upserts.push({ path, kind: 'symlink', target: node.target });
      if (node.kind !== 'file') return;
      if (node.nlink <= 1) {
        if (moved || node.dirty) upserts.push({ path, kind: 'file', data: handOver(node) });
        return;
      }
      const seen = first.get(node);
      if (seen === undefined) {
        const sent = moved || node.dirty;
        if (sent) upserts.push({ path, kind: 'file', data: handOver(node) });
        first.set(node, { path, sent });
      } else if (moved || seen.sent) upserts.push({ path, kind: 'link', target: seen.path });
    });
    for (const name of PSEUDO_FILES) {
      const node = this.tree.pseudo.get(name);
      if (node?.dirty) upserts.push({ path: name, kind: 'file', data: handOver(node) });
    }
    const removed = [...this.origin.entries()]
      .flatMap(([node, paths]) =>
        [...paths].filter((path) => this.tree.lookup(splitPath(path)) !== node),
      )
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
  // Hard links last: the file they name is in place by then.
  const ordered = diff.upserts.map((entry) => ({
    entry,
    depth: entry.kind === 'link' ? Number.MAX_SAFE_INTEGER : depth(entry.path),
  }));
  ordered.sort((a, b) => a.depth - b.depth);
  for (const { entry } of ordered) {
    if (isPseudoFile(entry.path)) {
      const node = tree.pseudoFile(entry.path);
      tree.resize(node, 0);
      tree.writeAt(node, 0, entry.data ?? new Uint8Array(0));
    } else placeEntry(tree, entry);
  }
}

/**
 * Puts a snapshot or diff entry at its path, replacing what was there (a directory already there
 * stays, with its content); returns the node now at the path.
 */
export function placeEntry(tree: InodeTree, entry: SnapshotEntry): FsNode {
  const parts = splitPath(entry.path);
  if (entry.kind === 'dir') return tree.mkdirp(parts);
  tree.checkPlace(parts);
  const parent = tree.mkdirp(parts.slice(0, -1));
  const name = parts[parts.length - 1] as string;
  let node: FsNode;
  if (entry.kind === 'symlink') node = tree.newSymlink(entry.target ?? '');
  else if (entry.kind === 'file') node = tree.newFile(entry.data);
  else {
    const file = tree.lookup(splitPath(entry.target ?? ''));
    if (file?.kind !== 'file')
      throw new BadPathError(entry.path, `a link to ${entry.target ?? ''}, not a file`);
    if (file === parent.entries.get(name)) return file;
    file.nlink += 1;
    node = file;
  }
  const old = parent.entries.get(name);
  if (old) tree.release(old);
  parent.entries.set(name, node);
  return node;
}
