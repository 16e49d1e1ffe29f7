// A revisioned state store: a small key-value interface with revisions, so that a record can be
// created once and changed only by whoever read its latest revision (compare-and-set), whichever
// backend holds it: memory, a JSON file, or NATS JetStream KV. The verifier keeps its challenges and
// registry in one (a challenge is consumed exactly once); hosts keep the computation registry in
// another. Keys use the JetStream KV alphabet ([-/_=.A-Za-z0-9]); values are bytes (callers write JSON).
export interface StoreEntry {
  readonly value: Uint8Array;
  readonly revision: number;
}

export interface StateStore {
  get(key: string): Promise<StoreEntry | undefined>;
  /** Creates the key; ERR_STORE_CONFLICT when it exists. Returns the new revision. */
  create(key: string, value: Uint8Array): Promise<number>;
  /** Replaces the value only if the key is still at `revision`; ERR_STORE_CONFLICT otherwise. */
  update(key: string, value: Uint8Array, revision: number): Promise<number>;
  /** Unconditional write. */
  put(key: string, value: Uint8Array): Promise<number>;
  delete(key: string): Promise<void>;
  /** The entries whose keys start with `prefix`, sorted by key (callers list in order to read). */
  entries(prefix: string): Promise<(readonly [string, StoreEntry])[]>;
  close(): Promise<void>;
}

const KEY = /^[-/_=.A-Za-z0-9]+$/;

export function checkKey(key: string): string {
  if (!KEY.test(key) || key.startsWith('.') || key.endsWith('.'))
    throw new TypeError(`invalid store key "${key}"`);
  return key;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const jsonBytes = (value: unknown): Uint8Array => encoder.encode(JSON.stringify(value));
export const fromJsonBytes = <T>(bytes: Uint8Array): T => JSON.parse(decoder.decode(bytes)) as T;
