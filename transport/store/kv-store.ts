// A state store in NATS JetStream KV (the service modes: the verifier's state, the computation
// registry). Revisions are the KV's own sequence numbers, so `update` at a revision is the KV's
// compare-and-set.
// Works with nats-server 2.9 (no per-key TTLs, no multi-filter key listing).
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { TransportError } from '../errors.js';
import { replicasError } from '../replicas.js';
import { checkKey, type StateStore, type StoreEntry } from './state-store.js';

export class KvStore implements StateStore {
  private readonly kv: KV;
  private readonly jsm: JetStreamManager;
  /** The bucket's stream, and the subject prefix of its keys (the KV's own naming). */
  private readonly stream: string;
  private readonly subjectPrefix: string;
  private readonly onClose: (() => Promise<void>) | undefined;

  private constructor(
    kv: KV,
    jsm: JetStreamManager,
    bucket: string,
    onClose?: () => Promise<void>,
  ) {
    this.kv = kv;
    this.jsm = jsm;
    this.stream = `KV_${bucket}`;
    this.subjectPrefix = `$KV.${bucket}.`;
    this.onClose = onClose;
  }

  /**
   * Opens (creating if needed) the bucket, with `replicas` copies on a cluster (default 1;
   * ERR_NATS_REPLICAS beyond the cluster's size); `onClose` runs on close (e.g. drain a
   * connection we own).
   */
  static async open(
    nc: NatsConnection,
    bucket: string,
    onClose?: () => Promise<void>,
    options: { readonly replicas?: number } = {},
  ): Promise<KvStore> {
    const replicas = options.replicas ?? 1;
    try {
      const kv = await new Kvm(nc).create(bucket, { history: 1, replicas });
      return new KvStore(kv, await jetstreamManager(nc), bucket, onClose);
    } catch (error) {
      const tooMany = replicasError(error, nc, `KV bucket ${bucket}`, replicas);
      if (tooMany) throw tooMany;
      throw new TransportError('ERR_STORE_UNAVAILABLE', `cannot open KV bucket ${bucket}`, {
        cause: error,
      });
    }
  }

  async get(key: string): Promise<StoreEntry | undefined> {
    const entry = await this.guard(() => this.kv.get(checkKey(key)));
    if (!entry || entry.operation !== 'PUT') return undefined;
    return { value: Uint8Array.from(entry.value), revision: entry.revision };
  }

  async create(key: string, value: Uint8Array): Promise<number> {
    try {
      return await this.kv.create(checkKey(key), value);
    } catch (error) {
      if (await this.get(key)) throw new TransportError('ERR_STORE_CONFLICT', `key ${key} exists`);
      throw new TransportError('ERR_STORE_UNAVAILABLE', `cannot create ${key}`, { cause: error });
    }
  }

  async update(key: string, value: Uint8Array, revision: number): Promise<number> {
    try {
      return await this.kv.update(checkKey(key), value, revision);
    } catch (error) {
      if ((await this.get(key))?.revision !== revision)
        throw new TransportError('ERR_STORE_CONFLICT', `key ${key} changed`);
      throw new TransportError('ERR_STORE_UNAVAILABLE', `cannot update ${key}`, { cause: error });
    }
  }

  async put(key: string, value: Uint8Array): Promise<number> {
    return this.guard(() => this.kv.put(checkKey(key), value));
  }

  async delete(key: string): Promise<void> {
    await this.guard(() => this.kv.delete(checkKey(key)));
  }

  async entries(prefix: string): Promise<(readonly [string, StoreEntry])[]> {
    // From a snapshot of the bucket's subjects (its stream's info), not the client's kv.keys():
    // that listing is a consumer which, while keys are rewritten (a computation's heartbeat),
    // delivers a key twice or ends early and misses keys. A deleted key keeps its subject (a
    // tombstone): reading each key drops it.
    const info = await this.guard(() =>
      this.jsm.streams.info(this.stream, { subjects_filter: `${this.subjectPrefix}>` }),
    );
    const keys = Object.keys(info.state.subjects ?? {})
      .map((subject) => subject.slice(this.subjectPrefix.length))
      .filter((key) => key.startsWith(prefix))
      .sort();
    const read = await Promise.all(
      keys.map(async (key) => {
        const entry = await this.get(key);
        return entry && ([key, entry] as const);
      }),
    );
    return read.filter((found) => found !== undefined);
  }

  async close(): Promise<void> {
    await this.onClose?.();
  }

  private async guard<T>(action: () => Promise<T>): Promise<T> {
    try {
      // checkKey runs inside `action`, so its TypeError (a caller bug) passes through unwrapped.
      return await action();
    } catch (error) {
      if (error instanceof TransportError || error instanceof TypeError) throw error;
      throw new TransportError('ERR_STORE_UNAVAILABLE', `KV store: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}
