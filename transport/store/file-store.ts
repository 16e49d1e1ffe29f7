// File-backed state store for the embedded mode: the memory store, written through to one JSON file
// after every change (write to a temporary file, then rename, so a crash leaves the old or the new
// state, never half of one). One process owns the file at a time.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TransportError } from '../errors.js';
import { MemoryStore } from './memory-store.js';
import type { StoreEntry } from './state-store.js';

interface FileImage {
  version: 1;
  revision: number;
  entries: Record<string, { value: string; revision: number }>;
}

export class FileStore extends MemoryStore {
  private readonly path: string;

  private constructor(path: string) {
    super();
    this.path = path;
  }

  static async open(path: string): Promise<FileStore> {
    const store = new FileStore(path);
    let text: string | undefined;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new TransportError('ERR_STORE_UNAVAILABLE', `cannot read ${path}`, { cause: error });
    }
    if (text !== undefined) {
      const image = JSON.parse(text) as FileImage;
      if (image.version !== 1)
        throw new TransportError('ERR_STORE_UNAVAILABLE', `${path} is not a state store`);
      const entries = new Map<string, StoreEntry>(
        Object.entries(image.entries).map(([k, e]) => [
          k,
          { value: new Uint8Array(Buffer.from(e.value, 'base64')), revision: e.revision },
        ]),
      );
      store.load(entries, image.revision);
    }
    return store;
  }

  private pending: Promise<void> = Promise.resolve();

  /** Writes are chained so two changes in one process never race on the temporary file. */
  protected override persist(): Promise<void> {
    const next = this.pending.then(() => this.writeImage());
    this.pending = next.catch(() => undefined);
    return next;
  }

  private async writeImage(): Promise<void> {
    const { revision, entries } = this.snapshot();
    const image: FileImage = {
      version: 1,
      revision,
      entries: Object.fromEntries(
        entries.map(([k, e]) => [
          k,
          { value: Buffer.from(e.value).toString('base64'), revision: e.revision },
        ]),
      ),
    };
    await mkdir(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(image, null, 1), { mode: 0o600 });
    await rename(temporary, this.path);
  }
}
