// Special files inside a guest's execution (the worker thread): a write to a static or dynamic
// module's special file is its request. A static module is served at once inside the enclave; a
// dynamic one runs in the native sandbox (sandbox.ts) while the guest waits in its write. Both act
// with the calling program's rights. As in Veracruz, the request is the special file's whole
// content; once served it is cleared (a request written in pieces waits for its last piece).
import {
  type RightsTable,
  WasiRight,
  hasRights,
  isPseudoFile,
  normalizePath,
  rightsAt,
  splitPath,
} from '../../protocol/index.js';
import { AccessDeniedError, FileNotFoundError } from '../errors.js';
import { InodeTree, type DirNode } from '../vfs/inode-tree.js';
import { walk } from '../vfs/snapshot.js';
import { NativeModuleUnknownError } from './errors.js';
import { runNativeSync, type NativeEntry } from './sandbox.js';
import { staticService, type ServiceFs } from './static-services.js';

/** A module served through a special file, as the worker gets it. */
export interface SpecialFileModule {
  readonly name: string;
  readonly specialFile: string;
  /** Set for a dynamic module: its binary on the host. */
  readonly dynamicEntry?: string;
}

export interface NativeSettings {
  readonly modules: readonly SpecialFileModule[];
  readonly memoryMib: number;
  /** Time limit of one dynamic module run. */
  readonly timeoutMs: number;
  /** Epoch ms by which every dynamic module run of this execution must end (its budget's end). */
  readonly deadline: number;
}

/** The file system as a principal with `rights` sees it, every access checked. */
function treeServiceFs(
  tree: InodeTree,
  rights: RightsTable,
): ServiceFs & { mkdirs(path: string): boolean } {
  const allowed = (path: string, needed: number): boolean =>
    hasRights(rightsAt(rights, path), needed);
  const parentDir = (parts: readonly string[], path: string): DirNode => {
    const parent = tree.lookup(parts.slice(0, -1));
    if (!parent || parent.kind !== 'dir') throw new FileNotFoundError(path);
    return parent;
  };
  return {
    read(text) {
      const path = normalizePath(text);
      if (!allowed(path, WasiRight.FD_READ)) throw new AccessDeniedError(path, 'read');
      return InodeTree.contents(tree.requireFile(splitPath(path), path));
    },
    write(text, bytes, append) {
      const path = normalizePath(text);
      const parts = splitPath(path);
      const node = tree.lookup(parts);
      if (node === undefined) {
        if (!allowed(path, WasiRight.FD_WRITE | WasiRight.PATH_CREATE_FILE))
          throw new AccessDeniedError(path, 'create');
        const parent = parentDir(parts, path);
        tree.checkPlace(parts);
        parent.entries.set(parts[parts.length - 1] as string, tree.newFile(bytes.slice()));
        return;
      }
      if (!allowed(path, WasiRight.FD_WRITE)) throw new AccessDeniedError(path, 'write');
      if (node.kind !== 'file') throw new FileNotFoundError(path);
      if (append) tree.writeAt(node, node.size, bytes);
      else {
        tree.resize(node, 0);
        tree.writeAt(node, 0, bytes);
      }
    },
    /** Creates the directories above `path` where the rights allow; false when one is refused. */
    mkdirs(path) {
      const parts = splitPath(path);
      for (let i = 1; i < parts.length; i++) {
        const sub = parts.slice(0, i);
        const node = tree.lookup(sub);
        if (node?.kind === 'dir') continue;
        if (node || !allowed(`/${sub.join('/')}`, WasiRight.PATH_CREATE_DIRECTORY)) return false;
        tree.mkdirp(sub);
      }
      return true;
    },
  };
}

/** What the native process may see: the principal's readable files and the folders above them. */
function readableView(
  tree: InodeTree,
  rights: RightsTable,
  hidden: ReadonlySet<string>,
): NativeEntry[] {
  const view: NativeEntry[] = [];
  walk(tree.root, '/', (path, node) => {
    if (isPseudoFile(path) || hidden.has(path)) return;
    if (node.kind === 'dir') view.push({ path, kind: 'dir' });
    // Symbolic links stay in the WASI host's file system: on a real one their text could point
    // anywhere (a hard link is a FileNode, its bytes copied like any file's).
    else if (node.kind === 'symlink') return;
    else if (hasRights(rightsAt(rights, path), WasiRight.FD_READ))
      view.push({ path, kind: 'file', data: InodeTree.contents(node) });
  });
  return view;
}

export interface SpecialFileHost {
  readonly tree: InodeTree;
  readonly rights: RightsTable;
  /** Appends a native process's output to the guest's stdout or stderr (where it may write). */
  readonly emit: (stream: 'stdout' | 'stderr', bytes: Uint8Array) => void;
}

/**
 * The handler the WASI host calls after each write: for a special file it serves the request it
 * holds and returns true (the host then clears the file); otherwise false (other files are not
 * read). Errors reach the guest as its write's errno; a native process stopped at a limit ends
 * the run.
 */
export function specialFileHandler(
  settings: NativeSettings,
  host: SpecialFileHost,
): (path: string, contents: () => Uint8Array) => boolean {
  const byPath = new Map(settings.modules.map((m) => [normalizePath(m.specialFile), m]));
  const hidden = new Set(byPath.keys());
  const fs = treeServiceFs(host.tree, host.rights);
  return (path, read) => {
    const module = byPath.get(path);
    if (!module) return false;
    const contents = read();
    if (module.dynamicEntry === undefined) {
      const service = staticService(module.name);
      if (!service) throw new NativeModuleUnknownError(module.name, 'no such static module');
      return service.serve(fs, contents);
    }
    const outcome = runNativeSync({
      name: module.name,
      entry: { kind: 'host', path: module.dynamicEntry },
      view: readableView(host.tree, host.rights, hidden),
      request: contents,
      limits: {
        memoryMib: settings.memoryMib,
        // Never past the execution's own budget: the runner could not stop the process then.
        timeoutMs: Math.max(1, Math.min(settings.timeoutMs, settings.deadline - Date.now())),
        fileBytes: host.tree.quotaBytes,
      },
    });
    for (const { path: changed, data } of outcome.changed) {
      if (hidden.has(changed) || !fs.mkdirs(changed)) continue;
      try {
        fs.write(changed, data, false);
      } catch (error) {
        // As in Veracruz, what the principal may not write is not copied back.
        if (!(error instanceof AccessDeniedError || error instanceof FileNotFoundError))
          throw error;
      }
    }
    if (outcome.stdout.length > 0) host.emit('stdout', outcome.stdout);
    if (outcome.stderr.length > 0) host.emit('stderr', outcome.stderr);
    return true;
  };
}

/** Special files exist from the start, empty, as Veracruz installs them in its file system. */
export function installSpecialFiles(tree: InodeTree, modules: readonly SpecialFileModule[]): void {
  for (const module of modules) {
    const parts = splitPath(normalizePath(module.specialFile));
    if (tree.lookup(parts)) continue;
    tree.checkPlace(parts);
    const parent = tree.mkdirp(parts.slice(0, -1));
    parent.entries.set(parts[parts.length - 1] as string, tree.newFile());
  }
}
