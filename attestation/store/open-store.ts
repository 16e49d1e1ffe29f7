// Opens the verifier state store a command or service names: a JSON file (embedded mode), NATS
// JetStream KV, or memory.
import {
  FileStore,
  KvStore,
  MemoryStore,
  NatsTransport,
  type NatsConnectionSettings,
  type StateStore,
} from '../../transport/index.js';

export type StoreLocation =
  | { readonly kind: 'memory' }
  | { readonly kind: 'file'; readonly path: string }
  | {
      readonly kind: 'nats';
      /** Where and how to connect; the bucket defaults to the namespace's (`vc_verifier`). */
      readonly settings: NatsConnectionSettings;
      readonly bucket?: string;
      readonly replicas?: number;
    };

export const DEFAULT_STORE_FILE = '.vc/verifier-state.json';

export async function openStateStore(location: StoreLocation): Promise<StateStore> {
  switch (location.kind) {
    case 'memory':
      return new MemoryStore();
    case 'file':
      return FileStore.open(location.path);
    case 'nats': {
      const bus = await NatsTransport.connect({ ...location.settings, name: 'vc-verifier-store' });
      try {
        return await KvStore.open(
          bus.connection,
          location.bucket ?? bus.subjects.verifierBucket,
          () => bus.close(),
          location.replicas === undefined ? {} : { replicas: location.replicas },
        );
      } catch (error) {
        await bus.close().catch(() => undefined);
        throw error;
      }
    }
  }
}
