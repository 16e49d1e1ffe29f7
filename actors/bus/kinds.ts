// The transport's kind registry filled with the protocol's message kinds and their validators.
import { MESSAGE_KINDS } from '../../protocol/messages/bodies.js';
import { validateBody } from '../../protocol/messages/validate.js';
import { KindRegistry } from '../../transport/kinds.js';

let registry: KindRegistry | undefined;

export function protocolKinds(): KindRegistry {
  if (!registry) {
    registry = new KindRegistry();
    for (const kind of MESSAGE_KINDS) registry.define(kind, (value) => validateBody(kind, value));
  }
  return registry;
}
