// Opens the verifier state store a command or service names: a JSON file (embedded mode), NATS
// JetStream KV, or memory.
import { connect } from '@nats-io/transport-node';
import { FileStore, KvStore, MemoryStore, type StateStore } from '../../transport/index.js';

const DEFAULT_VERIFIER_BUCKET = 'vc_verifier';

export type StoreLocation =
  | { readonly kind: 'memory' }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'nats'; readonly servers: string; readonly bucket?: string };

export const DEFAULT_STORE_FILE = '.vc/verifier-state.json';

export async function openStateStore(location: StoreLocation): Promise<StateStore> {
  switch (location.kind) {
    case 'memory':
      return new MemoryStore();
    case 'file':
      return FileStore.open(location.path);
    case 'nats': {
      const nc = await connect({ servers: location.servers, name: 'vc-verifier-store' });
      return KvStore.open(nc, location.bucket ?? DEFAULT_VERIFIER_BUCKET, () => nc.drain());
    }
  }
}
