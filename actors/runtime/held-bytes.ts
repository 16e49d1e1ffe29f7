// The bytes a shell keeps out of its machine. Machines must stay replayable from the journal, which
// anyone on the bus can read, so plaintext (an opened upload) never enters an event, and bulky bytes
// (sealed results, evidence) stay out of traces too. The shell holds such bytes here under a handle
// the machine's events and outputs carry instead; the effect that consumes them takes them once.
// Lifetime: held on arrival, taken by the consuming effect, dropped when their request is answered
// without them (a refusal), and cleared when the shell stops.
import type { Handle } from '../../machines/index.js';
import { sha256Hex, VcError } from '../../protocol/index.js';

export class HeldBytes {
  readonly #bytes = new Map<Handle, Uint8Array>();

  /** Holds bytes anyone may see (a sealed result, evidence) under their own SHA-256 (hex). */
  holdPublic(bytes: Uint8Array): Handle {
    return this.hold(sha256Hex(bytes), bytes);
  }

  /**
   * Holds bytes under `handle`. For secret bytes the handle must be derived from public data (the
   * digest of their sealed form): a digest of the plaintext in a trace would let anyone test guesses.
   */
  hold(handle: Handle, bytes: Uint8Array): Handle {
    if (this.#bytes.has(handle))
      throw new VcError('ERR_INTERNAL', 'two holders for the same bytes', { details: { handle } });
    this.#bytes.set(handle, bytes);
    return handle;
  }

  /** The bytes, which are no longer held. */
  take(handle: Handle): Uint8Array {
    const bytes = this.#bytes.get(handle);
    if (bytes === undefined)
      throw new VcError('ERR_INTERNAL', 'no bytes held under this handle', { details: { handle } });
    this.#bytes.delete(handle);
    return bytes;
  }

  drop(handle: Handle): void {
    this.#bytes.delete(handle);
  }

  clear(): void {
    this.#bytes.clear();
  }
}
