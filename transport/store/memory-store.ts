// In-memory state store (tests, and the embedded mode when nothing must survive the process).
import { TransportError } from '../errors.js';
import { checkKey, type StateStore, type StoreEntry } from './state-store.js';

export class MemoryStore implements StateStore {
  protected stored = new Map<string, StoreEntry>();
  private revision = 0;

  async get(key: string): Promise<StoreEntry | undefined> {
    const entry = this.stored.get(checkKey(key));
    return entry && { value: Uint8Array.from(entry.value), revision: entry.revision };
  }

  async create(key: string, value: Uint8Array): Promise<number> {
    if (this.stored.has(checkKey(key))) conflict(`key ${key} exists`);
    return this.write(key, value);
  }

  async update(key: string, value: Uint8Array, revision: number): Promise<number> {
    if (this.stored.get(checkKey(key))?.revision !== revision) conflict(`key ${key} changed`);
    return this.write(key, value);
  }

  async put(key: string, value: Uint8Array): Promise<number> {
    return this.write(checkKey(key), value);
  }

  async delete(key: string): Promise<void> {
    this.stored.delete(checkKey(key));
    await this.persist();
  }

  async entries(prefix: string): Promise<(readonly [string, StoreEntry])[]> {
    return [...this.stored]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, entry]) => [
        key,
        { value: Uint8Array.from(entry.value), revision: entry.revision },
      ]);
  }

  async close(): Promise<void> {}

  protected async write(key: string, value: Uint8Array): Promise<number> {
    // This write's own revision: other writes may advance the counter while persist() is awaited.
    const revision = (this.revision += 1);
    this.stored.set(key, { value: Uint8Array.from(value), revision });
    await this.persist();
    return revision;
  }

  /** Hook for subclasses that keep a copy elsewhere. */
  protected async persist(): Promise<void> {}

  protected load(entries: Map<string, StoreEntry>, revision: number): void {
    this.stored = entries;
    this.revision = revision;
  }

  protected snapshot(): { revision: number; entries: [string, StoreEntry][] } {
    return { revision: this.revision, entries: [...this.stored] };
  }
}

function conflict(message: string): never {
  throw new TransportError('ERR_STORE_CONFLICT', message);
}
